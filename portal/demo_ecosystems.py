"""The real ecosystems the AWTI advice names, with real public partners and fictitious companies.

Used by seed_demo only. Organisations: (slug, name, short name, helix role, kind, home region code).
"""

from __future__ import annotations

from typing import TypedDict


class EcosystemSpec(TypedDict):
    slug: str
    name: str
    regions: list[str]
    lead: str
    partners: list[str]
    themes: dict[str, int]
    places: list[str]
    profile: str
    strengths: str
    weak_spots: list[tuple[str, int, str]]
    weight: int


G, B, K, C = "government", "business", "knowledge", "civil_society"

ORGANISATIONS: list[tuple[str, str, str, str, str, str]] = [
    # national government
    ("ezk", "Ministerie van Economische Zaken en Klimaat", "EZK", G, "ministry", ""),
    ("bzk", "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties", "BZK", G, "ministry", ""),
    ("ocw", "Ministerie van Onderwijs, Cultuur en Wetenschap", "OCW", G, "ministry", ""),
    # Brainport Eindhoven
    ("brainport-development", "Brainport Development", "", G, "economic_board", "CR36"),
    ("tue", "Technische Universiteit Eindhoven", "TU/e", K, "university", "CR36"),
    ("fontys", "Fontys Hogescholen", "Fontys", K, "hogeschool", "CR36"),
    ("summa", "Summa College", "", K, "mbo", "CR36"),
    ("tno", "TNO", "", K, "to2", "CR27"),
    ("gemeente-eindhoven", "Gemeente Eindhoven", "", G, "municipality", "CR36"),
    ("provincie-noord-brabant", "Provincie Noord-Brabant", "", G, "province", "PV30"),
    ("kempen-photonics", "Kempen Photonics BV", "", B, "startup", "CR36"),
    ("eindhoven-precision", "Eindhoven Precision Systems BV", "", B, "company", "CR36"),
    ("slimme-wijk-eindhoven", "Stichting Slimme Wijk Eindhoven", "", C, "citizen_initiative", "CR36"),
    # Zuid-Holland
    ("eb-zuid-holland", "Economic Board Zuid-Holland", "EBZ", G, "economic_board", "PV28"),
    ("tu-delft", "Technische Universiteit Delft", "TU Delft", K, "university", "CR27"),
    ("universiteit-leiden", "Universiteit Leiden", "", K, "university", "CR25"),
    ("eur", "Erasmus Universiteit Rotterdam", "EUR", K, "university", "CR29"),
    ("hogeschool-rotterdam", "Hogeschool Rotterdam", "", K, "hogeschool", "CR29"),
    ("albeda", "Albeda", "", K, "mbo", "CR29"),
    ("provincie-zuid-holland", "Provincie Zuid-Holland", "", G, "province", "PV28"),
    ("gemeente-rotterdam", "Gemeente Rotterdam", "", G, "municipality", "CR29"),
    ("rijnmond-hydrogen", "Rijnmond Hydrogen Works BV", "", B, "company", "CR29"),
    ("westland-greentech", "Westland Greentech BV", "", B, "sme", "CR27"),
    ("delftse-qubits", "Delftse Qubits BV", "", B, "startup", "CR27"),
    ("haven-bewoners", "Bewonersplatform Haven en Stad", "", C, "citizen_initiative", "CR29"),
    # Noord-Nederland
    ("snn", "Samenwerkingsverband Noord-Nederland", "SNN", G, "economic_board", "PV20"),
    ("rug", "Rijksuniversiteit Groningen", "RUG", K, "university", "CR03"),
    ("hanze", "Hanzehogeschool Groningen", "Hanze", K, "hogeschool", "CR03"),
    ("nhl-stenden", "NHL Stenden Hogeschool", "", K, "hogeschool", "CR04"),
    ("noorderpoort", "Noorderpoort", "", K, "mbo", "CR03"),
    ("wetsus", "Wetsus, European centre of excellence for sustainable water technology", "Wetsus", K, "to2", "CR04"),
    ("provincie-groningen", "Provincie Groningen", "", G, "province", "PV20"),
    ("gemeente-groningen", "Gemeente Groningen", "", G, "municipality", "CR03"),
    ("eemsdelta-electrolysis", "Eemsdelta Electrolysis BV", "", B, "company", "CR02"),
    ("fries-water-sensors", "Fries Water Sensors BV", "", B, "startup", "CR04"),
    ("energiecooperatie-noord", "Energiecoöperatie Noord", "", C, "citizen_initiative", "CR07"),
    # Twente
    ("twente-board", "Twente Board", "", G, "economic_board", "CR12"),
    ("utwente", "Universiteit Twente", "UT", K, "university", "CR12"),
    ("saxion", "Saxion Hogeschool", "Saxion", K, "hogeschool", "CR12"),
    ("roc-twente", "ROC van Twente", "", K, "mbo", "CR12"),
    ("gemeente-enschede", "Gemeente Enschede", "", G, "municipality", "CR12"),
    ("twentse-composieten", "Twentse Composieten BV", "", B, "sme", "CR12"),
    ("nano-sensing-twente", "Nano Sensing Twente BV", "", B, "startup", "CR12"),
    ("textiel-twente", "Stichting Textielcircuit Twente", "", C, "foundation", "CR12"),
    # Foodvalley
    ("regio-foodvalley", "Regio Foodvalley", "", G, "economic_board", "CR13"),
    ("wur", "Wageningen University & Research", "WUR", K, "university", "CR13"),
    ("aeres", "Aeres Hogeschool", "Aeres", K, "hogeschool", "CR13"),
    ("roc-a12", "ROC A12", "", K, "mbo", "CR13"),
    ("gemeente-ede", "Gemeente Ede", "", G, "municipality", "CR13"),
    ("plantaardig-ede", "Plantaardig Ede BV", "", B, "startup", "CR13"),
    ("veluwse-zuivel", "Veluwse Zuivelcoöperatie", "", B, "company", "CR13"),
    ("boerenverbond-vallei", "Boerennetwerk Gelderse Vallei", "", C, "foundation", "CR13"),
    # Zeeland
    ("eb-zeeland", "Economic Board Zeeland", "", G, "economic_board", "PV29"),
    ("hz", "HZ University of Applied Sciences", "HZ", K, "hogeschool", "CR32"),
    ("ucr", "University College Roosevelt", "UCR", K, "university", "CR32"),
    ("scalda", "Scalda", "", K, "mbo", "CR32"),
    ("provincie-zeeland", "Provincie Zeeland", "", G, "province", "PV29"),
    ("sloe-hydrogen", "Sloe Hydrogen Terminal BV", "", B, "company", "CR32"),
    ("delta-mosselkwekers", "Delta Mosselkwekers BV", "", B, "sme", "CR32"),
    ("zeeuwse-kustvereniging", "Zeeuwse Kustvereniging", "", C, "foundation", "CR31"),
    # Limburg / Brightlands
    ("brightlands", "Brightlands", "", G, "economic_board", "CR39"),
    ("maastricht-university", "Maastricht University", "UM", K, "university", "CR39"),
    ("zuyd", "Zuyd Hogeschool", "Zuyd", K, "hogeschool", "CR39"),
    ("vista-college", "Vista college", "", K, "mbo", "CR39"),
    ("provincie-limburg", "Provincie Limburg", "", G, "province", "PV31"),
    ("chemelot-recycling", "Chemelot Recycling Partners BV", "", B, "company", "CR39"),
    ("venlo-greenport-tech", "Venlo Greenport Tech BV", "", B, "sme", "CR37"),
    ("parkstad-gezond", "Stichting Parkstad Gezond", "", C, "foundation", "CR39"),
    # Utrecht
    ("eb-utrecht", "Economic Board Utrecht", "EBU", G, "economic_board", "PV26"),
    ("uu", "Universiteit Utrecht", "UU", K, "university", "CR17"),
    ("hu", "Hogeschool Utrecht", "HU", K, "hogeschool", "CR17"),
    ("mbo-utrecht", "MBO Utrecht", "", K, "mbo", "CR17"),
    ("provincie-utrecht", "Provincie Utrecht", "", G, "province", "PV26"),
    ("gemeente-utrecht", "Gemeente Utrecht", "", G, "municipality", "CR17"),
    ("domstad-zorgdata", "Domstad Zorgdata BV", "", B, "startup", "CR17"),
    ("utrechtse-bouwunie", "Utrechtse Bouwunie BV", "", B, "company", "CR17"),
    ("wijkzorg-utrecht", "Coöperatie Wijkzorg Utrecht", "", C, "citizen_initiative", "CR17"),
    # Amsterdam
    ("amsterdam-economic-board", "Amsterdam Economic Board", "AEB", G, "economic_board", "CR23"),
    ("uva", "Universiteit van Amsterdam", "UvA", K, "university", "CR23"),
    ("vu", "Vrije Universiteit Amsterdam", "VU", K, "university", "CR23"),
    ("hva", "Hogeschool van Amsterdam", "HvA", K, "hogeschool", "CR23"),
    ("roc-amsterdam", "ROC van Amsterdam", "", K, "mbo", "CR23"),
    ("gemeente-amsterdam", "Gemeente Amsterdam", "", G, "municipality", "CR23"),
    ("provincie-noord-holland", "Provincie Noord-Holland", "", G, "province", "PV27"),
    ("amstel-ai", "Amstel AI Labs BV", "", B, "startup", "CR23"),
    ("zaanse-circulair", "Zaanse Circulaire Textielfabriek BV", "", B, "sme", "CR22"),
    ("buurtdata-amsterdam", "Stichting Buurtdata Amsterdam", "", C, "citizen_initiative", "CR23"),
    # Oost-Nederland (Arnhem-Nijmegen, Achterhoek)
    ("eb-arnhem-nijmegen", "Economic Board Regio Arnhem Nijmegen", "", G, "economic_board", "CR15"),
    ("radboud", "Radboud Universiteit", "RU", K, "university", "CR15"),
    ("han", "HAN University of Applied Sciences", "HAN", K, "hogeschool", "CR15"),
    ("roc-nijmegen", "ROC Nijmegen", "", K, "mbo", "CR15"),
    ("provincie-gelderland", "Provincie Gelderland", "", G, "province", "PV25"),
    ("gemeente-nijmegen", "Gemeente Nijmegen", "", G, "municipality", "CR15"),
    ("nijmeegse-chips", "Nijmeegse Chipdesign BV", "", B, "startup", "CR15"),
    ("achterhoekse-maakindustrie", "Achterhoekse Maakindustrie BV", "", B, "company", "CR14"),
    ("achterhoek-energiek", "Coöperatie Achterhoek Energiek", "", C, "citizen_initiative", "CR14"),
    # Flevoland
    ("provincie-flevoland", "Provincie Flevoland", "", G, "province", "PV24"),
    ("windesheim-almere", "Windesheim Almere", "", K, "hogeschool", "CR40"),
    ("mbo-amersfoort-almere", "ROC Flevoland", "", K, "mbo", "CR40"),
    ("polder-agritech", "Polder Agritech BV", "", B, "startup", "CR40"),
    ("lelystad-composites", "Lelystad Composites BV", "", B, "sme", "CR40"),
    ("flevo-boeren", "Vereniging Flevolandse Akkerbouw", "", C, "foundation", "CR40"),
    # Noord-Holland Noord
    ("ontwikkelingsbedrijf-nhn", "Ontwikkelingsbedrijf Noord-Holland Noord", "NHN", G, "economic_board", "CR19"),
    ("inholland", "Hogeschool Inholland", "Inholland", K, "hogeschool", "CR19"),
    ("clusius", "Clusius College", "", K, "mbo", "CR19"),
    ("den-helder-offshore", "Den Helder Offshore Services BV", "", B, "company", "CR18"),
    ("seed-valley-genetics", "Seed Valley Genetics BV", "", B, "sme", "CR18"),
    ("kop-energie", "Energiecoöperatie De Kop", "", C, "citizen_initiative", "CR18"),
    # West- en Midden-Brabant
    ("rewin", "REWIN West-Brabant", "REWIN", G, "economic_board", "CR33"),
    ("avans", "Avans Hogeschool", "Avans", K, "hogeschool", "CR33"),
    ("tilburg-university", "Tilburg University", "", K, "university", "CR34"),
    ("curio", "Curio", "", K, "mbo", "CR33"),
    ("gemeente-breda", "Gemeente Breda", "", G, "municipality", "CR33"),
    ("moerdijk-biobased", "Moerdijk Biobased Processing BV", "", B, "company", "CR33"),
    ("tilburg-logistics-data", "Tilburg Logistics Data BV", "", B, "startup", "CR34"),
    ("brabantse-natuur", "Brabantse Natuur- en Milieufederatie", "", C, "foundation", "CR33"),
    # foreign partners (international links)
    ("fraunhofer", "Fraunhofer-Gesellschaft", "Fraunhofer", K, "to2", ""),
    ("imec", "imec", "", K, "to2", ""),
    ("ku-leuven", "KU Leuven", "", K, "university", ""),
    ("dtu", "Technical University of Denmark", "DTU", K, "university", ""),
]

FOREIGN = {"fraunhofer": "DE", "imec": "BE", "ku-leuven": "BE", "dtu": "DK"}

KC, TA, IS, SS, CO = "knowledge_infrastructure", "talent", "innovative_sme", "sme_support", "cooperation"

ECOSYSTEMS: list[EcosystemSpec] = [
    {
        "slug": "brainport-eindhoven", "name": "Brainport Eindhoven", "regions": ["CR36"],
        "lead": "brainport-development",
        "partners": ["tue", "fontys", "summa", "tno", "gemeente-eindhoven", "provincie-noord-brabant",
                     "kempen-photonics", "eindhoven-precision", "slimme-wijk-eindhoven", "imec"],
        "themes": {"photonics": 5, "semiconductors": 5, "manufacturing": 4, "ai_data": 3, "health": 2,
                   "batteries": 2, "mobility": 2, "human_capital": 2, "quantum": 1},
        "places": ["Eindhoven", "Helmond", "Veldhoven", "Best", "Geldrop"],
        "profile": "Hightech maakindustrie rond systeembouwers en een dicht netwerk van toeleveranciers; "
                   "sterke technische universiteit en open innovatie op campussen.",
        "strengths": "Hightech systemen, fotonica, halfgeleiders, samenwerking tussen bedrijven en kennisinstellingen.",
        "weak_spots": [(TA, 3, "Tekort aan technici op alle niveaus."), (SS, 1, "")],
        "weight": 12,
    },
    {
        "slug": "zuid-holland", "name": "Zuid-Holland (Groeiagenda)", "regions": ["PV28"],
        "lead": "eb-zuid-holland",
        "partners": ["tu-delft", "universiteit-leiden", "eur", "hogeschool-rotterdam", "albeda",
                     "provincie-zuid-holland", "gemeente-rotterdam", "rijnmond-hydrogen", "westland-greentech",
                     "delftse-qubits", "haven-bewoners", "tno"],
        "themes": {"hydrogen": 5, "maritime": 4, "green_chemistry": 3, "quantum": 3, "ai_data": 2,
                   "health": 3, "agrifood": 3, "cyber": 2, "energy_grid": 2, "flood": 1},
        "places": ["Rotterdam", "Delft", "Leiden", "Den Haag", "Westland", "Dordrecht"],
        "profile": "Haven- en industriecomplex, greenports en een sterke kennisdriehoek Leiden-Delft-Rotterdam.",
        "strengths": "Haven en logistiek, kwantum, life sciences, tuinbouwtechnologie.",
        "weak_spots": [(CO, 2, "Veel losse programma's naast elkaar."), (IS, 2, "")],
        "weight": 14,
    },
    {
        "slug": "noord-nederland", "name": "Noord-Nederland", "regions": ["PV20", "PV21", "PV22"],
        "lead": "snn",
        "partners": ["rug", "hanze", "nhl-stenden", "noorderpoort", "wetsus", "provincie-groningen",
                     "gemeente-groningen", "eemsdelta-electrolysis", "fries-water-sensors", "energiecooperatie-noord"],
        "themes": {"hydrogen": 5, "energy_grid": 3, "water": 4, "biobased": 2, "health": 2, "agrifood": 2,
                   "human_capital": 2, "space": 1},
        "places": ["Groningen", "Leeuwarden", "Emmen", "Delfzijl", "Assen", "Drachten"],
        "profile": "Energieprovincies met een waterstofvalley, watertechnologie in Leeuwarden en healthy ageing.",
        "strengths": "Waterstof, watertechnologie, energie, gezond ouder worden.",
        "weak_spots": [(IS, 3, "Weinig innovatieve mkb-bedrijven buiten de steden."), (TA, 2, ""),
                       (KC, 1, "")],
        "weight": 12,
    },
    {
        "slug": "twente", "name": "Twente", "regions": ["CR12"], "lead": "twente-board",
        "partners": ["utwente", "saxion", "roc-twente", "gemeente-enschede", "twentse-composieten",
                     "nano-sensing-twente", "textiel-twente", "fraunhofer"],
        "themes": {"materials": 4, "manufacturing": 4, "photonics": 2, "health": 3, "textiles": 3, "ai_data": 2,
                   "human_capital": 1},
        "places": ["Enschede", "Hengelo", "Almelo", "Oldenzaal"],
        "profile": "Technische maakindustrie met een ondernemende universiteit en grensoverschrijdende samenwerking.",
        "strengths": "Nanotechnologie, technische geneeskunde, composieten, textiel.",
        "weak_spots": [(TA, 2, "Jong talent trekt weg naar de Randstad."), (KC, 1, "")],
        "weight": 7,
    },
    {
        "slug": "foodvalley", "name": "Foodvalley", "regions": ["CR13"], "lead": "regio-foodvalley",
        "partners": ["wur", "aeres", "roc-a12", "gemeente-ede", "plantaardig-ede", "veluwse-zuivel",
                     "boerenverbond-vallei"],
        "themes": {"protein": 6, "agrifood": 5, "biobased": 2, "health": 2, "human_capital": 1},
        "places": ["Ede", "Wageningen", "Barneveld", "Veenendaal"],
        "profile": "Agrifood-ecosysteem rond een landbouwuniversiteit, met veel voedingsmiddelenbedrijven.",
        "strengths": "Eiwittransitie, voeding en gezondheid, duurzame veehouderij.",
        "weak_spots": [(SS, 2, "Ondersteuning van starters is versnipperd."), (CO, 1, "")],
        "weight": 7,
    },
    {
        "slug": "zeeland", "name": "Zeeland", "regions": ["PV29"], "lead": "eb-zeeland",
        "partners": ["hz", "ucr", "scalda", "provincie-zeeland", "sloe-hydrogen", "delta-mosselkwekers",
                     "zeeuwse-kustvereniging", "ku-leuven"],
        "themes": {"hydrogen": 4, "green_chemistry": 3, "flood": 4, "water": 2, "maritime": 2, "biobased": 2,
                   "circular_plastics": 2},
        "places": ["Vlissingen", "Middelburg", "Terneuzen", "Goes", "Zierikzee"],
        "profile": "Delta-provincie met procesindustrie in de Kanaalzone en een lange traditie in waterbouw.",
        "strengths": "Waterveiligheid, procesindustrie, aquacultuur, grensoverschrijdende haven.",
        "weak_spots": [(KC, 3, "Geen universiteit met breed onderzoek in de provincie."), (TA, 3, ""),
                       (IS, 2, "")],
        "weight": 6,
    },
    {
        "slug": "limburg-brightlands", "name": "Limburg / Brightlands", "regions": ["PV31"],
        "lead": "brightlands",
        "partners": ["maastricht-university", "zuyd", "vista-college", "provincie-limburg", "chemelot-recycling",
                     "venlo-greenport-tech", "parkstad-gezond", "fraunhofer"],
        "themes": {"circular_plastics": 5, "green_chemistry": 4, "health": 4, "materials": 3, "agrifood": 2,
                   "ai_data": 2, "human_capital": 1},
        "places": ["Maastricht", "Geleen", "Heerlen", "Venlo", "Roermond", "Sittard"],
        "profile": "Vier Brightlands-campussen: chemie en materialen, gezondheid, voeding en slimme diensten.",
        "strengths": "Chemie en materialen, regeneratieve geneeskunde, euregionale samenwerking.",
        "weak_spots": [(TA, 2, ""), (CO, 2, "Campussen werken nog weinig samen.")],
        "weight": 8,
    },
    {
        "slug": "utrecht", "name": "Utrecht", "regions": ["PV26"], "lead": "eb-utrecht",
        "partners": ["uu", "hu", "mbo-utrecht", "provincie-utrecht", "gemeente-utrecht", "domstad-zorgdata",
                     "utrechtse-bouwunie", "wijkzorg-utrecht"],
        "themes": {"health": 5, "care": 4, "builtenv": 3, "ai_data": 2, "mobility": 2, "human_capital": 2},
        "places": ["Utrecht", "Amersfoort", "Nieuwegein", "Zeist"],
        "profile": "Kennisregio met een sterk life-sciencescluster en een centrale ligging.",
        "strengths": "Gezondheid, gezonde verstedelijking, digitale zorg.",
        "weak_spots": [(IS, 1, ""), (SS, 2, "")],
        "weight": 8,
    },
    {
        "slug": "amsterdam", "name": "Metropoolregio Amsterdam", "regions": ["CR23", "CR22", "CR20", "CR21", "CR24"],
        "lead": "amsterdam-economic-board",
        "partners": ["uva", "vu", "hva", "roc-amsterdam", "gemeente-amsterdam", "provincie-noord-holland",
                     "amstel-ai", "zaanse-circulair", "buurtdata-amsterdam", "dtu"],
        "themes": {"ai_data": 5, "quantum": 3, "health": 3, "textiles": 2, "mobility": 2, "builtenv": 2,
                   "cyber": 2, "circular_plastics": 1, "human_capital": 2},
        "places": ["Amsterdam", "Zaandam", "Haarlem", "Hilversum", "IJmuiden"],
        "profile": "Grootstedelijke regio met digitale economie, creatieve industrie en twee universiteiten.",
        "strengths": "AI en data, kwantum, life sciences, circulaire stad.",
        "weak_spots": [(CO, 1, ""), (TA, 1, "")],
        "weight": 12,
    },
    {
        "slug": "oost-nederland", "name": "Oost-Nederland (Arnhem-Nijmegen en Achterhoek)",
        "regions": ["CR15", "CR14"], "lead": "eb-arnhem-nijmegen",
        "partners": ["radboud", "han", "roc-nijmegen", "provincie-gelderland", "gemeente-nijmegen",
                     "nijmeegse-chips", "achterhoekse-maakindustrie", "achterhoek-energiek"],
        "themes": {"semiconductors": 3, "health": 3, "energy_grid": 3, "batteries": 2, "manufacturing": 3,
                   "care": 2, "human_capital": 1},
        "places": ["Nijmegen", "Arnhem", "Doetinchem", "Winterswijk"],
        "profile": "Halfgeleiders en health in Nijmegen, energie in Arnhem, maakindustrie in de Achterhoek.",
        "strengths": "Chipontwerp, medische technologie, energietechniek.",
        "weak_spots": [(IS, 2, ""), (SS, 2, "")],
        "weight": 7,
    },
    {
        "slug": "flevoland", "name": "Flevoland", "regions": ["PV24"], "lead": "provincie-flevoland",
        "partners": ["windesheim-almere", "mbo-amersfoort-almere", "polder-agritech", "lelystad-composites",
                     "flevo-boeren", "wur"],
        "themes": {"agrifood": 4, "energy_grid": 2, "builtenv": 2, "materials": 2, "space": 1, "human_capital": 1},
        "places": ["Almere", "Lelystad", "Emmeloord", "Dronten"],
        "profile": "Jonge provincie met grootschalige akkerbouw, composietindustrie en snelgroeiende steden.",
        "strengths": "Precisielandbouw, composieten, ruimte voor experimenten.",
        "weak_spots": [(KC, 3, "Weinig hoger onderwijs en onderzoek in de provincie."), (IS, 2, "")],
        "weight": 4,
    },
    {
        "slug": "noord-holland-noord", "name": "Noord-Holland Noord", "regions": ["CR18", "CR19"],
        "lead": "ontwikkelingsbedrijf-nhn",
        "partners": ["inholland", "clusius", "den-helder-offshore", "seed-valley-genetics", "kop-energie",
                     "provincie-noord-holland"],
        "themes": {"energy_grid": 3, "hydrogen": 3, "maritime": 2, "agrifood": 3, "biobased": 1},
        "places": ["Den Helder", "Alkmaar", "Hoorn", "Schagen"],
        "profile": "Offshore-energie in Den Helder en een veredelingscluster voor zaden.",
        "strengths": "Offshore wind, zaadveredeling, maritieme dienstverlening.",
        "weak_spots": [(KC, 2, ""), (TA, 3, "Krimpende beroepsbevolking in de Kop.")],
        "weight": 4,
    },
    {
        "slug": "west-midden-brabant", "name": "West- en Midden-Brabant (Biobased Delta)",
        "regions": ["CR33", "CR34"], "lead": "rewin",
        "partners": ["avans", "tilburg-university", "curio", "gemeente-breda", "moerdijk-biobased",
                     "tilburg-logistics-data", "brabantse-natuur"],
        "themes": {"biobased": 4, "mobility": 3, "circular_plastics": 2, "agrifood": 2, "ai_data": 2,
                   "human_capital": 1},
        "places": ["Breda", "Tilburg", "Roosendaal", "Moerdijk", "Bergen op Zoom"],
        "profile": "Logistiek knooppunt met biobased procesindustrie en data science in Tilburg.",
        "strengths": "Biobased economie, logistiek, data science.",
        "weak_spots": [(CO, 2, ""), (KC, 2, "")],
        "weight": 5,
    },
]

# Which future-vision windows a theme speaks to (used to tag demo initiatives).
THEME_WINDOWS: dict[str, list[str]] = {
    "hydrogen": ["energy"], "photonics": ["living_working"], "semiconductors": ["living_working"],
    "quantum": ["living_working"], "ai_data": ["living_working"], "cyber": ["living_working"],
    "batteries": ["energy", "mobility"], "circular_plastics": ["nature"], "green_chemistry": ["energy", "nature"],
    "protein": ["food"], "agrifood": ["food", "nature"], "water": ["nature", "food"], "flood": ["nature", "living_working"],
    "health": ["health"], "care": ["health", "living_working"], "maritime": ["mobility"], "mobility": ["mobility"],
    "builtenv": ["living_working", "energy"], "energy_grid": ["energy"], "space": ["living_working"],
    "textiles": ["nature"], "materials": ["energy"], "manufacturing": ["living_working"], "biobased": ["nature", "food"],
    "human_capital": ["living_working"],
}

FIRST_NAMES = ["Anouk", "Bram", "Daan", "Eva", "Fleur", "Iris", "Jesse", "Lotte", "Milan", "Noor", "Ruben",
               "Sanne", "Thijs", "Yara", "Sem", "Fatima", "Mohamed", "Lieke", "Joris", "Esra"]
LAST_NAMES = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Vos",
              "Peters", "Hendriks", "van Dijk", "Yilmaz", "el Amrani", "Kramer", "Dekker", "Postma"]
