"""Real Dutch public bodies for the MVI Community demo data.

Pure data: no imports beyond ``__future__``/``typing``, no side effects.

Sources and conventions
-----------------------
* Codes are the TOOI / CBS identifiers used on overheid.nl:
  ``gm`` + 4-digit CBS gemeentecode, ``pv`` + 2-digit CBS provinciecode,
  ``ws`` + 4-digit waterschapcode, ``mnre`` + TOOI ministry code and ``oorg``
  + TOOI code for executive agencies.  Where no TOOI code could be confirmed
  a local scheme is used instead: ``ua-<abbr>`` (uitvoeringsorganisaties) and
  ``ov-<abbr>`` (umbrella bodies, type ``overig``).
* Municipalities use their names and CBS codes as of 1 January 2023 (342
  municipalities existed then).  ``population`` is the approximate CBS
  population on 1 January 2023, rounded to the nearest hundred; it is meant for
  size-class demos, not for statistics.
* ``province`` is the province the body sits in (for water boards spanning
  several provinces: the province of its seat); ``None`` for national bodies.
* Ministries are the 12 ministries with their names as of 2023 (before the
  2024 reorganisation that split EZK and created further ministries).
* ``kvk`` (8-digit KvK number) and ``oin`` (20-digit OIN) are included only
  where verified against a public source; otherwise they are ``None``.
"""

from __future__ import annotations

from typing import TypedDict


class Org(TypedDict):
    code: str
    name: str
    # rijk | provincie | gemeente | waterschap | uitvoeringsorganisatie | overig
    type: str
    province: str | None
    population: int | None
    website: str
    kvk: str | None
    oin: str | None


PROVINCES: list[Org] = [
    {
        'code': 'pv20', 'name': 'Provincie Groningen', 'type': 'provincie',
        'province': 'Groningen', 'population': None,
        'website': 'https://www.provinciegroningen.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'pv21', 'name': 'Provincie Fryslân', 'type': 'provincie', 'province': 'Fryslân',
        'population': None, 'website': 'https://www.fryslan.frl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'pv22', 'name': 'Provincie Drenthe', 'type': 'provincie', 'province': 'Drenthe',
        'population': None, 'website': 'https://www.provincie.drenthe.nl', 'kvk': None,
        'oin': None,
    },
    {
        'code': 'pv23', 'name': 'Provincie Overijssel', 'type': 'provincie',
        'province': 'Overijssel', 'population': None, 'website': 'https://www.overijssel.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'pv24', 'name': 'Provincie Flevoland', 'type': 'provincie',
        'province': 'Flevoland', 'population': None, 'website': 'https://www.flevoland.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'pv25', 'name': 'Provincie Gelderland', 'type': 'provincie',
        'province': 'Gelderland', 'population': None, 'website': 'https://www.gelderland.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'pv26', 'name': 'Provincie Utrecht', 'type': 'provincie', 'province': 'Utrecht',
        'population': None, 'website': 'https://www.provincie-utrecht.nl', 'kvk': None,
        'oin': None,
    },
    {
        'code': 'pv27', 'name': 'Provincie Noord-Holland', 'type': 'provincie',
        'province': 'Noord-Holland', 'population': None, 'website': 'https://www.noord-holland.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'pv28', 'name': 'Provincie Zuid-Holland', 'type': 'provincie',
        'province': 'Zuid-Holland', 'population': None, 'website': 'https://www.zuid-holland.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'pv29', 'name': 'Provincie Zeeland', 'type': 'provincie', 'province': 'Zeeland',
        'population': None, 'website': 'https://www.zeeland.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'pv30', 'name': 'Provincie Noord-Brabant', 'type': 'provincie',
        'province': 'Noord-Brabant', 'population': None, 'website': 'https://www.brabant.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'pv31', 'name': 'Provincie Limburg', 'type': 'provincie', 'province': 'Limburg',
        'population': None, 'website': 'https://www.limburg.nl', 'kvk': None, 'oin': None,
    },
]

# The comment above each water board names its seat, which determines `province`.
WATER_BOARDS: list[Org] = [
    # seat: Doetinchem
    {
        'code': 'ws0152', 'name': 'Waterschap Rijn en IJssel', 'type': 'waterschap',
        'province': 'Gelderland', 'population': None, 'website': 'https://www.wrij.nl',
        'kvk': None, 'oin': None,
    },
    # seat: Amsterdam
    {
        'code': 'ws0155', 'name': 'Waterschap Amstel, Gooi en Vecht', 'type': 'waterschap',
        'province': 'Noord-Holland', 'population': None, 'website': 'https://www.agv.nl',
        'kvk': None, 'oin': None,
    },
    # seat: Delft
    {
        'code': 'ws0372', 'name': 'Hoogheemraadschap van Delfland', 'type': 'waterschap',
        'province': 'Zuid-Holland', 'population': None, 'website': 'https://www.hhdelfland.nl',
        'kvk': None, 'oin': None,
    },
    # seat: Boxtel
    {
        'code': 'ws0539', 'name': 'Waterschap De Dommel', 'type': 'waterschap',
        'province': 'Noord-Brabant', 'population': None, 'website': 'https://www.dommel.nl',
        'kvk': None, 'oin': None,
    },
    # seat: Leiden
    {
        'code': 'ws0616', 'name': 'Hoogheemraadschap van Rijnland', 'type': 'waterschap',
        'province': 'Zuid-Holland', 'population': None, 'website': 'https://www.rijnland.net',
        'kvk': None, 'oin': None,
    },
    # seat: Tiel
    {
        'code': 'ws0621', 'name': 'Waterschap Rivierenland', 'type': 'waterschap',
        'province': 'Gelderland', 'population': None,
        'website': 'https://www.waterschaprivierenland.nl', 'kvk': None, 'oin': None,
    },
    # seat: Houten
    {
        'code': 'ws0636', 'name': 'Hoogheemraadschap De Stichtse Rijnlanden', 'type': 'waterschap',
        'province': 'Utrecht', 'population': None, 'website': 'https://www.hdsr.nl', 'kvk': None,
        'oin': None,
    },
    # seat: Veendam
    {
        'code': 'ws0646', 'name': "Waterschap Hunze en Aa's", 'type': 'waterschap',
        'province': 'Groningen', 'population': None, 'website': 'https://www.hunzeenaas.nl',
        'kvk': None, 'oin': None,
    },
    # seat: Groningen
    {
        'code': 'ws0647', 'name': 'Waterschap Noorderzijlvest', 'type': 'waterschap',
        'province': 'Groningen', 'population': None, 'website': 'https://www.noorderzijlvest.nl',
        'kvk': None, 'oin': None,
    },
    # seat: Lelystad
    {
        'code': 'ws0650', 'name': 'Waterschap Zuiderzeeland', 'type': 'waterschap',
        'province': 'Flevoland', 'population': None, 'website': 'https://www.zuiderzeeland.nl',
        'kvk': None, 'oin': None,
    },
    # seat: Heerhugowaard (gemeente Dijk en Waard since 2022)
    {
        'code': 'ws0651', 'name': 'Hoogheemraadschap Hollands Noorderkwartier',
        'type': 'waterschap', 'province': 'Noord-Holland', 'population': None,
        'website': 'https://www.hhnk.nl', 'kvk': None, 'oin': None,
    },
    # seat: Breda
    {
        'code': 'ws0652', 'name': 'Waterschap Brabantse Delta', 'type': 'waterschap',
        'province': 'Noord-Brabant', 'population': None,
        'website': 'https://www.brabantsedelta.nl', 'kvk': None, 'oin': None,
    },
    # seat: Leeuwarden
    {
        'code': 'ws0653', 'name': 'Wetterskip Fryslân', 'type': 'waterschap',
        'province': 'Fryslân', 'population': None, 'website': 'https://www.wetterskipfryslan.nl',
        'kvk': None, 'oin': None,
    },
    # seat: 's-Hertogenbosch
    {
        'code': 'ws0654', 'name': 'Waterschap Aa en Maas', 'type': 'waterschap',
        'province': 'Noord-Brabant', 'population': None, 'website': 'https://www.aaenmaas.nl',
        'kvk': None, 'oin': None,
    },
    # seat: Ridderkerk
    {
        'code': 'ws0655', 'name': 'Waterschap Hollandse Delta', 'type': 'waterschap',
        'province': 'Zuid-Holland', 'population': None, 'website': 'https://www.wshd.nl',
        'kvk': None, 'oin': None,
    },
    # seat: Rotterdam
    {
        'code': 'ws0656', 'name': 'Hoogheemraadschap van Schieland en de Krimpenerwaard',
        'type': 'waterschap', 'province': 'Zuid-Holland', 'population': None,
        'website': 'https://www.schielandendekrimpenerwaard.nl', 'kvk': None, 'oin': None,
    },
    # seat: Middelburg
    {
        'code': 'ws0661', 'name': 'Waterschap Scheldestromen', 'type': 'waterschap',
        'province': 'Zeeland', 'population': None, 'website': 'https://www.scheldestromen.nl',
        'kvk': None, 'oin': None,
    },
    # seat: Apeldoorn
    {
        'code': 'ws0662', 'name': 'Waterschap Vallei en Veluwe', 'type': 'waterschap',
        'province': 'Gelderland', 'population': None, 'website': 'https://www.vallei-veluwe.nl',
        'kvk': None, 'oin': None,
    },
    # seat: Almelo
    {
        'code': 'ws0663', 'name': 'Waterschap Vechtstromen', 'type': 'waterschap',
        'province': 'Overijssel', 'population': None, 'website': 'https://www.vechtstromen.nl',
        'kvk': None, 'oin': None,
    },
    # seat: Zwolle
    {
        'code': 'ws0664', 'name': 'Waterschap Drents Overijsselse Delta', 'type': 'waterschap',
        'province': 'Overijssel', 'population': None, 'website': 'https://www.wdodelta.nl',
        'kvk': None, 'oin': None,
    },
    # seat: Roermond
    {
        'code': 'ws0665', 'name': 'Waterschap Limburg', 'type': 'waterschap',
        'province': 'Limburg', 'population': None, 'website': 'https://www.waterschaplimburg.nl',
        'kvk': None, 'oin': None,
    },
]

MINISTRIES: list[Org] = [
    {
        'code': 'mnre1010', 'name': 'Ministerie van Algemene Zaken', 'type': 'rijk',
        'province': None, 'population': None,
        'website': 'https://www.rijksoverheid.nl/ministeries/ministerie-van-algemene-zaken',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'mnre1013', 'name': 'Ministerie van Buitenlandse Zaken', 'type': 'rijk',
        'province': None, 'population': None,
        'website': 'https://www.rijksoverheid.nl/ministeries/ministerie-van-buitenlandse-zaken',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'mnre1018', 'name': 'Ministerie van Defensie', 'type': 'rijk', 'province': None,
        'population': None, 'website': 'https://www.defensie.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'mnre1025', 'name': 'Ministerie van Volksgezondheid, Welzijn en Sport',
        'type': 'rijk', 'province': None, 'population': None,
        'website': 'https://www.rijksoverheid.nl/ministeries/ministerie-van-volksgezondheid-welzijn-en-sport',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'mnre1034', 'name': 'Ministerie van Binnenlandse Zaken en Koninkrijksrelaties',
        'type': 'rijk', 'province': None, 'population': None,
        'website': 'https://www.rijksoverheid.nl/ministeries/ministerie-van-binnenlandse-zaken-en-koninkrijksrelaties',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'mnre1045', 'name': 'Ministerie van Economische Zaken en Klimaat', 'type': 'rijk',
        'province': None, 'population': None,
        'website': 'https://www.rijksoverheid.nl/ministeries/ministerie-van-economische-zaken-en-klimaat',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'mnre1058', 'name': 'Ministerie van Justitie en Veiligheid', 'type': 'rijk',
        'province': None, 'population': None,
        'website': 'https://www.rijksoverheid.nl/ministeries/ministerie-van-justitie-en-veiligheid',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'mnre1073', 'name': 'Ministerie van Sociale Zaken en Werkgelegenheid',
        'type': 'rijk', 'province': None, 'population': None,
        'website': 'https://www.rijksoverheid.nl/ministeries/ministerie-van-sociale-zaken-en-werkgelegenheid',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'mnre1090', 'name': 'Ministerie van Financiën', 'type': 'rijk', 'province': None,
        'population': None,
        'website': 'https://www.rijksoverheid.nl/ministeries/ministerie-van-financien',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'mnre1109', 'name': 'Ministerie van Onderwijs, Cultuur en Wetenschap',
        'type': 'rijk', 'province': None, 'population': None,
        'website': 'https://www.rijksoverheid.nl/ministeries/ministerie-van-onderwijs-cultuur-en-wetenschap',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'mnre1130', 'name': 'Ministerie van Infrastructuur en Waterstaat', 'type': 'rijk',
        'province': None, 'population': None,
        'website': 'https://www.rijksoverheid.nl/ministeries/ministerie-van-infrastructuur-en-waterstaat',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'mnre1153', 'name': 'Ministerie van Landbouw, Natuur en Voedselkwaliteit',
        'type': 'rijk', 'province': None, 'population': None,
        'website': 'https://www.rijksoverheid.nl/ministeries/ministerie-van-landbouw-natuur-en-voedselkwaliteit',
        'kvk': None, 'oin': None,
    },
]

EXECUTIVE_AGENCIES: list[Org] = [
    # under IenW
    {
        'code': 'oorg10004', 'name': 'Rijkswaterstaat', 'type': 'uitvoeringsorganisatie',
        'province': None, 'population': None, 'website': 'https://www.rijkswaterstaat.nl',
        'kvk': None, 'oin': None,
    },
    # under BZK
    {
        'code': 'ua-rvb', 'name': 'Rijksvastgoedbedrijf', 'type': 'uitvoeringsorganisatie',
        'province': None, 'population': None, 'website': 'https://www.rijksvastgoedbedrijf.nl',
        'kvk': None, 'oin': None,
    },
    # under EZK
    {
        'code': 'ua-rvo', 'name': 'Rijksdienst voor Ondernemend Nederland',
        'type': 'uitvoeringsorganisatie', 'province': None, 'population': None,
        'website': 'https://www.rvo.nl', 'kvk': None, 'oin': None,
    },
    # under JenV
    {
        'code': 'oorg10114', 'name': 'Dienst Justitiële Inrichtingen',
        'type': 'uitvoeringsorganisatie', 'province': None, 'population': None,
        'website': 'https://www.dji.nl', 'kvk': None, 'oin': None,
    },
    # under Financiën
    {
        'code': 'oorg12368', 'name': 'Belastingdienst', 'type': 'uitvoeringsorganisatie',
        'province': None, 'population': None, 'website': 'https://www.belastingdienst.nl',
        'kvk': None, 'oin': None,
    },
    # under OCW
    {
        'code': 'oorg10148', 'name': 'Dienst Uitvoering Onderwijs',
        'type': 'uitvoeringsorganisatie', 'province': None, 'population': None,
        'website': 'https://duo.nl', 'kvk': None, 'oin': None,
    },
]

MUNICIPALITIES: list[Org] = [
    # 100,000+ inhabitants
    {
        'code': 'gm0363', 'name': 'Gemeente Amsterdam', 'type': 'gemeente',
        'province': 'Noord-Holland', 'population': 918100, 'website': 'https://www.amsterdam.nl',
        'kvk': '34366966', 'oin': '00000001002564440000',
    },
    {
        'code': 'gm0599', 'name': 'Gemeente Rotterdam', 'type': 'gemeente',
        'province': 'Zuid-Holland', 'population': 664300, 'website': 'https://www.rotterdam.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0518', 'name': 'Gemeente Den Haag', 'type': 'gemeente',
        'province': 'Zuid-Holland', 'population': 562800, 'website': 'https://www.denhaag.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0344', 'name': 'Gemeente Utrecht', 'type': 'gemeente', 'province': 'Utrecht',
        'population': 368000, 'website': 'https://www.utrecht.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0772', 'name': 'Gemeente Eindhoven', 'type': 'gemeente',
        'province': 'Noord-Brabant', 'population': 238300, 'website': 'https://www.eindhoven.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0014', 'name': 'Gemeente Groningen', 'type': 'gemeente',
        'province': 'Groningen', 'population': 238100, 'website': 'https://gemeente.groningen.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0855', 'name': 'Gemeente Tilburg', 'type': 'gemeente',
        'province': 'Noord-Brabant', 'population': 224700, 'website': 'https://www.tilburg.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0034', 'name': 'Gemeente Almere', 'type': 'gemeente', 'province': 'Flevoland',
        'population': 218100, 'website': 'https://www.almere.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0758', 'name': 'Gemeente Breda', 'type': 'gemeente',
        'province': 'Noord-Brabant', 'population': 185100, 'website': 'https://www.breda.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0268', 'name': 'Gemeente Nijmegen', 'type': 'gemeente',
        'province': 'Gelderland', 'population': 179100, 'website': 'https://www.nijmegen.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0200', 'name': 'Gemeente Apeldoorn', 'type': 'gemeente',
        'province': 'Gelderland', 'population': 165500, 'website': 'https://www.apeldoorn.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0202', 'name': 'Gemeente Arnhem', 'type': 'gemeente', 'province': 'Gelderland',
        'population': 164100, 'website': 'https://www.arnhem.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0392', 'name': 'Gemeente Haarlem', 'type': 'gemeente',
        'province': 'Noord-Holland', 'population': 162900, 'website': 'https://www.haarlem.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0153', 'name': 'Gemeente Enschede', 'type': 'gemeente',
        'province': 'Overijssel', 'population': 160300, 'website': 'https://www.enschede.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0307', 'name': 'Gemeente Amersfoort', 'type': 'gemeente', 'province': 'Utrecht',
        'population': 159200, 'website': 'https://www.amersfoort.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0796', 'name': "Gemeente 's-Hertogenbosch", 'type': 'gemeente',
        'province': 'Noord-Brabant', 'population': 158100,
        'website': 'https://www.s-hertogenbosch.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0479', 'name': 'Gemeente Zaanstad', 'type': 'gemeente',
        'province': 'Noord-Holland', 'population': 158000, 'website': 'https://www.zaanstad.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0193', 'name': 'Gemeente Zwolle', 'type': 'gemeente', 'province': 'Overijssel',
        'population': 131900, 'website': 'https://www.zwolle.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0546', 'name': 'Gemeente Leiden', 'type': 'gemeente',
        'province': 'Zuid-Holland', 'population': 127000, 'website': 'https://gemeente.leiden.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0080', 'name': 'Gemeente Leeuwarden', 'type': 'gemeente', 'province': 'Fryslân',
        'population': 125800, 'website': 'https://www.leeuwarden.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0935', 'name': 'Gemeente Maastricht', 'type': 'gemeente', 'province': 'Limburg',
        'population': 122400, 'website': 'https://www.gemeentemaastricht.nl', 'kvk': None,
        'oin': None,
    },
    {
        'code': 'gm0228', 'name': 'Gemeente Ede', 'type': 'gemeente', 'province': 'Gelderland',
        'population': 121600, 'website': 'https://www.ede.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0361', 'name': 'Gemeente Alkmaar', 'type': 'gemeente',
        'province': 'Noord-Holland', 'population': 110900, 'website': 'https://www.alkmaar.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0114', 'name': 'Gemeente Emmen', 'type': 'gemeente', 'province': 'Drenthe',
        'population': 107800, 'website': 'https://gemeente.emmen.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0503', 'name': 'Gemeente Delft', 'type': 'gemeente', 'province': 'Zuid-Holland',
        'population': 104500, 'website': 'https://www.delft.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0983', 'name': 'Gemeente Venlo', 'type': 'gemeente', 'province': 'Limburg',
        'population': 102300, 'website': 'https://www.venlo.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0150', 'name': 'Gemeente Deventer', 'type': 'gemeente',
        'province': 'Overijssel', 'population': 102000, 'website': 'https://www.deventer.nl',
        'kvk': None, 'oin': None,
    },
    # 50,000 - 100,000 inhabitants
    {
        'code': 'gm0828', 'name': 'Gemeente Oss', 'type': 'gemeente', 'province': 'Noord-Brabant',
        'population': 94000, 'website': 'https://www.oss.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0794', 'name': 'Gemeente Helmond', 'type': 'gemeente',
        'province': 'Noord-Brabant', 'population': 93700, 'website': 'https://www.helmond.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0402', 'name': 'Gemeente Hilversum', 'type': 'gemeente',
        'province': 'Noord-Holland', 'population': 92900, 'website': 'https://www.hilversum.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0917', 'name': 'Gemeente Heerlen', 'type': 'gemeente', 'province': 'Limburg',
        'population': 87400, 'website': 'https://www.heerlen.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0995', 'name': 'Gemeente Lelystad', 'type': 'gemeente', 'province': 'Flevoland',
        'population': 81600, 'website': 'https://www.lelystad.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0513', 'name': 'Gemeente Gouda', 'type': 'gemeente', 'province': 'Zuid-Holland',
        'population': 74900, 'website': 'https://www.gouda.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0106', 'name': 'Gemeente Assen', 'type': 'gemeente', 'province': 'Drenthe',
        'population': 69700, 'website': 'https://www.assen.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0345', 'name': 'Gemeente Veenendaal', 'type': 'gemeente', 'province': 'Utrecht',
        'population': 67900, 'website': 'https://www.veenendaal.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0355', 'name': 'Gemeente Zeist', 'type': 'gemeente', 'province': 'Utrecht',
        'population': 66600, 'website': 'https://www.zeist.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0957', 'name': 'Gemeente Roermond', 'type': 'gemeente', 'province': 'Limburg',
        'population': 59100, 'website': 'https://www.roermond.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0321', 'name': 'Gemeente Houten', 'type': 'gemeente', 'province': 'Utrecht',
        'population': 51100, 'website': 'https://www.houten.nl', 'kvk': None, 'oin': None,
    },
    # 20,000 - 50,000 inhabitants
    {
        'code': 'gm0687', 'name': 'Gemeente Middelburg', 'type': 'gemeente', 'province': 'Zeeland',
        'population': 49700, 'website': 'https://www.middelburg.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0243', 'name': 'Gemeente Harderwijk', 'type': 'gemeente',
        'province': 'Gelderland', 'population': 48900, 'website': 'https://www.harderwijk.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0301', 'name': 'Gemeente Zutphen', 'type': 'gemeente', 'province': 'Gelderland',
        'population': 48600, 'website': 'https://www.zutphen.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0718', 'name': 'Gemeente Vlissingen', 'type': 'gemeente', 'province': 'Zeeland',
        'population': 45000, 'website': 'https://www.vlissingen.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0281', 'name': 'Gemeente Tiel', 'type': 'gemeente', 'province': 'Gelderland',
        'population': 42900, 'website': 'https://www.tiel.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0289', 'name': 'Gemeente Wageningen', 'type': 'gemeente',
        'province': 'Gelderland', 'population': 40500, 'website': 'https://www.wageningen.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0664', 'name': 'Gemeente Goes', 'type': 'gemeente', 'province': 'Zeeland',
        'population': 39100, 'website': 'https://www.goes.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0119', 'name': 'Gemeente Meppel', 'type': 'gemeente', 'province': 'Drenthe',
        'population': 34800, 'website': 'https://www.meppel.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0216', 'name': 'Gemeente Culemborg', 'type': 'gemeente',
        'province': 'Gelderland', 'population': 29900, 'website': 'https://www.culemborg.nl',
        'kvk': None, 'oin': None,
    },
    # fewer than 20,000 inhabitants
    {
        'code': 'gm0448', 'name': 'Gemeente Texel', 'type': 'gemeente',
        'province': 'Noord-Holland', 'population': 13800, 'website': 'https://www.texel.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm1695', 'name': 'Gemeente Noord-Beveland', 'type': 'gemeente',
        'province': 'Zeeland', 'population': 7600, 'website': 'https://www.noord-beveland.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0744', 'name': 'Gemeente Baarle-Nassau', 'type': 'gemeente',
        'province': 'Noord-Brabant', 'population': 7200, 'website': 'https://www.baarle-nassau.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0339', 'name': 'Gemeente Renswoude', 'type': 'gemeente', 'province': 'Utrecht',
        'population': 5700, 'website': 'https://www.renswoude.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0093', 'name': 'Gemeente Terschelling', 'type': 'gemeente',
        'province': 'Fryslân', 'population': 4900, 'website': 'https://www.terschelling.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0060', 'name': 'Gemeente Ameland', 'type': 'gemeente', 'province': 'Fryslân',
        'population': 3800, 'website': 'https://www.ameland.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0277', 'name': 'Gemeente Rozendaal', 'type': 'gemeente',
        'province': 'Gelderland', 'population': 1700, 'website': 'https://www.rozendaal.nl',
        'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0096', 'name': 'Gemeente Vlieland', 'type': 'gemeente', 'province': 'Fryslân',
        'population': 1200, 'website': 'https://www.vlieland.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'gm0088', 'name': 'Gemeente Schiermonnikoog', 'type': 'gemeente',
        'province': 'Fryslân', 'population': 900, 'website': 'https://www.schiermonnikoog.nl',
        'kvk': None, 'oin': None,
    },
]

OTHER: list[Org] = [
    {
        'code': 'ov-vng', 'name': 'Vereniging van Nederlandse Gemeenten', 'type': 'overig',
        'province': None, 'population': None, 'website': 'https://vng.nl', 'kvk': None,
        'oin': None,
    },
    {
        'code': 'ov-ipo', 'name': 'Interprovinciaal Overleg', 'type': 'overig', 'province': None,
        'population': None, 'website': 'https://www.ipo.nl', 'kvk': None, 'oin': None,
    },
    {
        'code': 'ov-uvw', 'name': 'Unie van Waterschappen', 'type': 'overig', 'province': None,
        'population': None, 'website': 'https://unievanwaterschappen.nl', 'kvk': None, 'oin': None,
    },
    # PIANOo is part of RVO (Ministerie van EZK); listed as overig
    {
        'code': 'ov-pianoo', 'name': 'PIANOo Expertisecentrum Aanbesteden', 'type': 'overig',
        'province': None, 'population': None, 'website': 'https://www.pianoo.nl', 'kvk': None,
        'oin': None,
    },
]

ALL: list[Org] = (
    PROVINCES + WATER_BOARDS + MINISTRIES + EXECUTIVE_AGENCIES + MUNICIPALITIES + OTHER
)
