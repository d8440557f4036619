"""Demo data: `flask demo seed [--scale small|large]` (idempotent)."""
