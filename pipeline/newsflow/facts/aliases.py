"""What the small model does not know about names: places, organisation words, titles, aliases.

``norm_key`` turns any mention into an article-independent key analysts can group by:
lower-cased, accents and punctuation removed, a leading "the" dropped, then looked up in a small
alias table so that "U.S.", "US", "USA" and "the United States" all become ``united states``.
The place lists are what the entity rules use to correct the model ("Sweden" tagged PERSON) and
to find places it missed; they are deliberately limited to unambiguous names.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

COUNTRIES = [
    "Afghanistan", "Albania", "Algeria", "Andorra", "Angola", "Argentina", "Armenia", "Australia", "Austria",
    "Azerbaijan", "Bahamas", "Bahrain", "Bangladesh", "Barbados", "Belarus", "Belgium", "Belize", "Benin", "Bhutan",
    "Bolivia", "Bosnia", "Bosnia and Herzegovina", "Botswana", "Brazil", "Brunei", "Bulgaria", "Burkina Faso",
    "Burundi", "Cambodia", "Cameroon", "Canada", "Cape Verde", "Central African Republic", "Chile", "China",
    "Colombia", "Comoros", "Congo", "Costa Rica", "Croatia", "Cuba", "Cyprus", "Czech Republic", "Czechia",
    "Democratic Republic of Congo", "Democratic Republic of the Congo", "Denmark", "Djibouti", "Dominican Republic",
    "East Timor", "Ecuador", "Egypt", "El Salvador", "Equatorial Guinea", "Eritrea", "Estonia", "Eswatini",
    "Ethiopia", "Fiji", "Finland", "France", "Gabon", "Gambia", "Georgia", "Germany", "Ghana", "Greece", "Grenada",
    "Guatemala", "Guinea", "Guinea-Bissau", "Guyana", "Haiti", "Honduras", "Hungary", "Iceland", "India",
    "Indonesia", "Iran", "Iraq", "Ireland", "Israel", "Italy", "Ivory Coast", "Jamaica", "Japan", "Kazakhstan",
    "Kenya", "Kiribati", "Kosovo", "Kuwait", "Kyrgyzstan", "Laos", "Latvia", "Lebanon", "Lesotho", "Liberia",
    "Libya", "Liechtenstein", "Lithuania", "Luxembourg", "Madagascar", "Malawi", "Malaysia", "Maldives", "Mali",
    "Malta", "Mauritania", "Mauritius", "Mexico", "Moldova", "Monaco", "Mongolia", "Montenegro", "Morocco",
    "Mozambique", "Myanmar", "Burma", "Namibia", "Nepal", "Netherlands", "New Zealand", "Nicaragua", "Niger",
    "Nigeria", "North Korea", "North Macedonia", "Norway", "Oman", "Pakistan", "Palestine", "Panama",
    "Papua New Guinea", "Paraguay", "Peru", "Philippines", "Poland", "Portugal", "Qatar", "Romania", "Russia",
    "Rwanda", "Saudi Arabia", "Senegal", "Serbia", "Seychelles", "Sierra Leone", "Singapore", "Slovakia",
    "Slovenia", "Somalia", "South Africa", "South Korea", "South Sudan", "Spain", "Sri Lanka", "Sudan", "Suriname",
    "Sweden", "Switzerland", "Syria", "Taiwan", "Tajikistan", "Tanzania", "Thailand", "Togo", "Tonga",
    "Trinidad and Tobago", "Tunisia", "Turkey", "Türkiye", "Turkmenistan", "Uganda", "Ukraine",
    "United Arab Emirates", "United Kingdom", "United States", "United States of America", "Uruguay", "Uzbekistan",
    "Vanuatu", "Venezuela", "Vietnam", "Yemen", "Zambia", "Zimbabwe", "Britain", "Great Britain", "England",
    "Scotland", "Wales", "Northern Ireland", "U.S.", "US", "USA", "U.S.A.", "UK", "U.K.", "UAE", "Gaza",
    "West Bank", "Hong Kong", "Macau", "Puerto Rico", "Greenland", "Crimea", "Tibet", "French Guiana",
    "French Polynesia", "New Caledonia", "Faroe Islands", "Canary Islands", "Balearic Islands", "Gibraltar",
    "Bermuda", "Cayman Islands", "Guam", "Martinique", "Guadeloupe", "Reunion", "Réunion", "Mayotte",
]  # fmt: skip
SUBNATIONAL = [
    # U.S. states
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida",
    "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine", "Maryland",
    "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada",
    "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma",
    "Oregon", "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah",
    "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming",
    # Canadian provinces, Australian states, other large regions that are GPEs
    "Alberta", "British Columbia", "Manitoba", "New Brunswick", "Newfoundland", "Nova Scotia", "Ontario", "Quebec",
    "Saskatchewan", "New South Wales", "Queensland", "South Australia", "Tasmania", "Victoria",
    "Western Australia", "Northern Territory", "Bavaria", "Catalonia", "Andalusia", "Lombardy", "Tuscany",
    "Sicily", "Sardinia", "Corsica", "Brittany", "Normandy", "Provence", "Flanders", "Wallonia", "Punjab",
    "Kashmir", "Gujarat", "Maharashtra", "Kerala", "Bengal", "Xinjiang", "Guangdong", "Sichuan", "Hokkaido",
    "Okinawa", "Mindanao", "Java", "Bali", "Sumatra", "Borneo", "Kurdistan", "Donbas", "Chechnya", "Darfur",
]  # fmt: skip
CITIES = [
    "Abu Dhabi", "Abuja", "Accra", "Addis Ababa", "Adelaide", "Amman", "Amsterdam", "Ankara", "Antwerp", "Athens",
    "Atlanta", "Auckland", "Austin", "Baghdad", "Baku", "Baltimore", "Bamako", "Bangalore", "Bangkok", "Barcelona",
    "Basel", "Beijing", "Beirut", "Belfast", "Belgrade", "Berlin", "Bern", "Bilbao", "Birmingham", "Bogota",
    "Bogotá", "Bologna", "Bombay", "Bonn", "Bordeaux", "Boston", "Brasilia", "Bratislava", "Brisbane", "Bristol",
    "Brussels", "Bucharest", "Budapest", "Buenos Aires", "Cairo", "Calcutta", "Calgary", "Canberra", "Cape Town",
    "Caracas", "Cardiff", "Casablanca", "Chennai", "Chicago", "Chisinau", "Cleveland", "Cologne", "Colombo",
    "Copenhagen", "Dakar", "Dallas", "Damascus", "Dar es Salaam", "Darwin", "Delhi", "Denver", "Detroit", "Dhaka",
    "Doha", "Dresden", "Dubai", "Dublin", "Durban", "Dusseldorf", "Düsseldorf", "Edinburgh", "Frankfurt", "Geneva",
    "Genoa", "Glasgow", "Gothenburg", "Guadalajara", "Guangzhou", "Hamburg", "Hanoi", "Harare", "Havana",
    "Helsinki", "Ho Chi Minh City", "Honolulu", "Houston", "Hyderabad", "Islamabad", "Istanbul", "Jakarta",
    "Jeddah", "Jerusalem", "Johannesburg", "Kabul", "Kampala", "Karachi", "Kathmandu", "Khartoum", "Kiev", "Kigali",
    "Kinshasa", "Kolkata", "Krakow", "Kraków", "Kuala Lumpur", "Kyiv", "Kyoto", "Lagos", "Lahore", "Las Vegas",
    "Leeds", "Leipzig", "Lima", "Lisbon", "Liverpool", "Ljubljana", "London", "Los Angeles", "Luanda", "Lusaka",
    "Luxembourg", "Lyon", "Madrid", "Malaga", "Manchester", "Manila", "Maputo", "Marseille", "Mecca", "Melbourne",
    "Mexico City", "Miami", "Milan", "Minneapolis", "Minsk", "Mogadishu", "Monterrey", "Montevideo", "Montreal",
    "Moscow", "Mumbai", "Munich", "Nairobi", "Nanjing", "Naples", "New Delhi", "New Orleans", "Nice", "Nicosia",
    "Osaka", "Oslo", "Ottawa", "Oxford", "Cambridge", "Palermo", "Panama City", "Paris", "Perth", "Philadelphia",
    "Phnom Penh", "Phoenix", "Pittsburgh", "Port-au-Prince", "Porto", "Prague", "Pretoria", "Pyongyang", "Quito",
    "Rabat", "Reykjavik", "Riga", "Rio de Janeiro", "Riyadh", "Rome", "Rotterdam", "Saint Petersburg",
    "St Petersburg", "San Diego", "San Francisco", "San Jose", "Santiago", "Sao Paulo", "São Paulo", "Sarajevo",
    "Seattle", "Seoul", "Seville", "Shanghai", "Shenzhen", "Singapore", "Skopje", "Sofia", "Stockholm",
    "Strasbourg", "Stuttgart", "Sydney", "Taipei", "Tallinn", "Tashkent", "Tbilisi", "Tehran", "Tel Aviv",
    "The Hague", "Tianjin", "Tirana", "Tokyo", "Toronto", "Toulouse", "Tripoli", "Tunis", "Turin", "Valencia",
    "Valletta", "Vancouver", "Venice", "Vienna", "Vilnius", "Warsaw", "Wellington", "Wuhan", "Yangon", "Yerevan",
    "Yokohama", "Zagreb", "Zurich", "Zürich", "Manhattan", "Brooklyn", "Queens", "Bronx", "Hollywood",
    "Silicon Valley", "Kharkiv", "Odesa", "Odessa", "Lviv", "Mariupol", "Gdansk", "Porto Alegre", "Recife",
    "Salvador", "Medellin", "Medellín", "Cusco", "Huancayo", "La Paz", "Asuncion", "Asunción", "Guatemala City",
    "San Salvador", "Tegucigalpa", "Managua", "San Juan", "Kingston", "Nassau", "Darmstadt", "Noordwijk", "Kourou",
    "Brussel", "Davos", "Zermatt", "Innsbruck", "Salzburg", "Graz", "Tallahassee", "Sacramento", "Albany",
    "Springfield", "Boise", "Bozeman", "Anchorage", "Newark", "Riverside", "Orlando", "Tampa", "Charlotte",
    "Nashville", "Memphis", "Portland", "Salt Lake City", "Kansas City", "St. Louis", "Indianapolis", "Columbus",
    "Cincinnati", "Milwaukee", "Richmond", "Raleigh", "Sacramento", "Oakland", "Fresno", "El Paso", "Tucson",
]  # fmt: skip
LOCATIONS = [
    "Africa", "Asia", "Europe", "North America", "South America", "Latin America", "Central America", "Oceania",
    "Antarctica", "Arctic", "Antarctic", "Middle East", "Near East", "Far East", "Balkans", "Caribbean", "Baltic",
    "Scandinavia", "Siberia", "Sahel", "Sahara", "Himalayas", "Alps", "Andes", "Rockies", "Pyrenees",
    "Urals", "Caucasus", "Mediterranean", "Atlantic", "Pacific", "Indian Ocean", "Red Sea", "Black Sea",
    "Caspian Sea", "North Sea", "Baltic Sea", "South China Sea", "East China Sea", "Persian Gulf", "Gulf of Mexico",
    "Strait of Hormuz", "Horn of Africa", "Korean Peninsula", "Iberian Peninsula", "Gulf Coast", "West Coast",
    "East Coast", "Midwest", "Great Lakes", "Rift Valley", "Nile", "Danube", "Rhine", "Thames", "Mississippi River",
    "Yangtze", "Ganges", "Central Asia", "Southeast Asia", "South Asia", "East Asia", "West Africa",
    "East Africa", "Southern Africa", "North Africa", "Western Europe", "Eastern Europe", "Northern Europe",
    "Southern Europe", "Northern California", "Southern California", "Eurozone", "Mars", "Venus", "Jupiter",
    "Saturn", "Mercury", "Sun", "Moon",
]  # fmt: skip
# Words that end (or head) organisation names: "Halstead Building Society", "Bank of England".
ORG_WORDS = {
    "inc", "inc.", "corp", "corp.", "corporation", "co", "co.", "company", "ltd", "ltd.", "limited", "llc", "plc",
    "ag", "sa", "se", "nv", "bv", "gmbh", "group", "holdings", "holding", "bank", "bancorp", "airways", "airlines",
    "airline", "systems", "securities", "capital", "partners", "studios", "studio", "media", "resources",
    "minerals", "metals", "mining", "logistics", "freight", "society", "agency", "authority", "commission",
    "council", "ministry", "department", "university", "institute", "foundation", "association", "federation",
    "union", "party", "court", "board", "bureau", "service", "services", "survey", "committee", "organization",
    "organisation", "fund", "trust", "network", "consortium", "chamber", "parliament", "assembly", "senate",
    "congress", "legislature", "cabinet", "office", "police", "army", "navy", "force", "forces", "guard",
    "administration", "school", "college", "hospital", "clinic", "museum", "library", "church", "club",
    "united", "city", "fc", "technologies", "technology", "pharmaceuticals", "pharma", "therapeutics",
    "biotherapeutics", "biotech", "energy", "oil", "petroleum", "gas", "electric", "motors", "industries",
    "insurance", "assurance", "reinsurance", "investments", "management", "advisors", "advisers", "research",
    "labs", "laboratories", "software", "communications", "telecom", "railway", "railways", "rail", "exchange",
    "reserve", "treasury", "coalition", "alliance", "movement", "front", "league", "initiative", "center",
    "centre", "times", "post", "journal", "news", "herald", "tribune", "gazette", "press", "broadcasting",
}  # fmt: skip
ORG_LEADS = {"bank", "university", "ministry", "department", "office", "institute", "bureau", "council",
             "court", "commission", "federation", "association", "league", "house", "church", "college",
             "museum", "school", "royal", "national", "federal", "international", "european", "world",
             "united"}  # fmt: skip
# Generic organisation words that never stand alone as a short form of a name.
GENERIC_ORG_WORDS = ORG_WORDS | {"the", "of", "and", "for", "&", "national", "international", "global", "general",
                                 "american", "british", "european", "royal", "new", "first", "central"}  # fmt: skip
PERSON_TITLES = {
    "president", "vice", "prime", "minister", "secretary", "governor", "senator", "sen.", "rep.",
    "representative", "congressman", "congresswoman", "councilman", "councilwoman", "councillor", "councilor",
    "mayor", "chancellor", "judge", "justice", "magistrate", "prosecutor", "attorney", "general", "gen.",
    "colonel", "col.", "lieutenant", "lt.", "captain", "capt.", "sergeant", "sgt.", "major", "admiral", "commander",
    "officer", "detective", "inspector", "chief", "director", "chairman", "chairwoman", "chair", "ceo", "cfo",
    "coach", "manager", "striker", "goalkeeper", "midfielder", "defender", "forward", "player",
    "envoy", "ambassador", "spokesman", "spokeswoman", "spokesperson", "king", "queen", "prince", "princess",
    "pope", "sheikh", "emir", "sultan", "dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "prof",
    "prof.", "professor", "sir", "dame", "lord", "lady", "rev.", "reverend", "father", "sister", "brother",
    "deputy", "firefighter", "economist", "analyst", "scientist", "researcher", "author", "writer", "lawyer",
    "president-elect", "premier", "leader", "founder", "investor", "executive",
}  # fmt: skip
HONORIFICS = {"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "dr", "dr.", "prof", "prof.", "sir", "dame", "lord",
              "lady", "rev.", "mx", "mx."}  # fmt: skip
ALIASES = {
    "us": "united states", "usa": "united states", "u s": "united states", "u s a": "united states",
    "united states of america": "united states", "america": "united states", "the states": "united states",
    "uk": "united kingdom", "u k": "united kingdom", "britain": "united kingdom", "great britain": "united kingdom",
    "united kingdom of great britain and northern ireland": "united kingdom",
    "eu": "european union", "e u": "european union", "un": "united nations", "u n": "united nations",
    "uae": "united arab emirates", "prc": "china", "peoples republic of china": "china",
    "dprk": "north korea", "democratic peoples republic of korea": "north korea", "rok": "south korea",
    "republic of korea": "south korea", "russian federation": "russia", "holland": "netherlands",
    "the netherlands": "netherlands", "czechia": "czech republic", "turkiye": "turkey", "burma": "myanmar",
    "ivory coast": "cote divoire", "cote d ivoire": "cote divoire", "drc": "democratic republic of the congo",
    "democratic republic of congo": "democratic republic of the congo", "kiev": "kyiv", "bombay": "mumbai",
    "calcutta": "kolkata", "peking": "beijing", "nyc": "new york city",
    "fed": "federal reserve", "us federal reserve": "federal reserve", "federal reserve board": "federal reserve",
    "ecb": "european central bank", "boe": "bank of england", "boj": "bank of japan", "rbi": "reserve bank of india",
    "imf": "international monetary fund", "who": "world health organization",
    "world health organisation": "world health organization", "wto": "world trade organization",
    "world trade organisation": "world trade organization", "nato": "north atlantic treaty organization",
    "opec": "organization of the petroleum exporting countries",
    "opec+": "opec plus", "opec plus": "opec plus",
    "fbi": "federal bureau of investigation", "cia": "central intelligence agency",
    "nasa": "national aeronautics and space administration",
    "esa": "european space agency", "sec": "securities and exchange commission", "ftc": "federal trade commission",
    "epa": "environmental protection agency", "fema": "federal emergency management agency",
    "usgs": "us geological survey", "u s geological survey": "us geological survey",
    "united states geological survey": "us geological survey",
    "ons": "office for national statistics", "obr": "office for budget responsibility",
    "cbi": "confederation of british industry", "ifs": "institute for fiscal studies",
    "kcna": "korean central news agency", "pboc": "peoples bank of china",
    "state department": "us department of state", "us state department": "us department of state",
    "department of state": "us department of state", "pentagon": "us department of defense",
    "labor department": "us department of labor", "department of labor": "us department of labor",
    "commission": "european commission", "ec": "european commission",
    "house of commons": "house of commons", "commons": "house of commons",
}  # fmt: skip

GPE_NAMES = {n.lower() for n in COUNTRIES + SUBNATIONAL + CITIES}
LOC_NAMES = {n.lower() for n in LOCATIONS}
_GPE_ASCII: set[str] = set()  # filled below, once strip_accents exists
_LOC_ASCII: set[str] = set()
# Place names that are also common first names, surnames or words: never added by the rules alone.
AMBIGUOUS_PLACES = {"georgia", "jordan", "chad", "victoria", "washington", "nice", "reading", "phoenix", "mercury",
                    "jersey", "salvador", "sydney", "columbus", "richmond", "charlotte", "darwin", "perth",
                    "cambridge", "oxford", "kingston", "albany", "springfield", "portland", "moon", "sun", "mars",
                    "guinea", "niger", "turkey", "china", "bali", "java", "amazon", "nile", "orlando", "austin",
                    "florence", "eugene", "madison", "lincoln", "houston", "denver", "marshall", "jackson",
                    "us", "santiago", "riverside", "newark", "queens", "venus", "saturn"}  # fmt: skip


@lru_cache(maxsize=8192)
def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=8192)
def simple_key(text: str) -> str:
    """Lower-case, accent-free, punctuation-free, single-spaced; "&" becomes "and", a leading "the" goes."""
    t = strip_accents(text).lower().replace("&", " and ").replace("’", "'")
    t = re.sub(r"'s\b", "", t)
    t = re.sub(r"[\u2010-\u2015-]", " ", t)
    t = re.sub(r"[^\w\s+]", "", t)
    t = re.sub(r"\s+", " ", t).strip()
    t = re.sub(r"^the ", "", t)
    return t


@lru_cache(maxsize=8192)
def norm_key(text: str) -> str:
    """The article-independent grouping key of an entity name ("U.S." → "united states")."""
    key = simple_key(text)
    squashed = key.replace(" ", "")
    if key in ALIASES:
        return ALIASES[key]
    if len(squashed) <= 4 and squashed in ALIASES:
        return ALIASES[squashed]
    return key


@lru_cache(maxsize=8192)
def place_label(text: str) -> str | None:
    """ "GPE" or "LOC" when the text is a known place name, else None."""
    low = strip_accents(text).lower().strip()
    if low in _LOC_ASCII:
        return "LOC"
    if low in _GPE_ASCII:
        return "GPE"
    key = norm_key(text)
    if key in GPE_NAMES or key in ("united states", "united kingdom", "united arab emirates", "european union"):
        return "GPE" if key != "european union" else None
    return None


_GPE_ASCII.update(strip_accents(n) for n in GPE_NAMES)
_LOC_ASCII.update(strip_accents(n) for n in LOC_NAMES)

# Last words that make a name a location ("Rhône Glacier", "Gallatin River", "Eyre Peninsula").
LOC_WORDS = {
    "river", "mountain", "mountains", "mount", "lake", "sea", "ocean", "valley", "peninsula", "island", "islands",
    "bay", "gulf", "desert", "forest", "coast", "strait", "straits", "canal", "range", "basin", "delta", "plateau",
    "reef", "glacier", "glaciers", "cape", "falls", "canyon", "hills", "highlands", "plain", "plains", "creek",
}  # fmt: skip
LOC_LEADS = {"mount", "lake", "cape", "gulf", "isle", "mt."}
# Nouns that describe an organisation in apposition: "Trivela, the Dutch payments company".
ORG_DESCRIPTIONS = {
    "company", "firm", "group", "bank", "lender", "club", "airline", "carrier", "agency", "ministry", "department",
    "council", "union", "party", "court", "board", "regulator", "watchdog", "retailer", "insurer", "broadcaster",
    "newspaper", "studio", "university", "team", "charity", "organisation", "organization", "authority",
    "commission", "consortium", "carmaker", "automaker", "manufacturer", "developer", "operator", "utility",
    "producer", "maker", "chain", "network", "fund", "business", "corporation", "startup", "start-up", "conglomerate",
    "subsidiary", "service", "site", "platform", "alliance", "association", "federation", "body", "institute",
    "foundation", "outlet", "publisher", "exchange", "forecaster", "consultancy", "giant", "supplier", "provider",
    "distributor", "miner", "processor", "shipper", "railway", "railroad", "airport", "hospital", "school",
}  # fmt: skip
# Words of organisations that are not companies ("the company said" skips them).
NON_COMPANY_WORDS = {
    "union", "party", "council", "ministry", "department", "agency", "authority", "commission", "court", "board",
    "association", "federation", "university", "institute", "foundation", "committee", "organization",
    "organisation", "bureau", "office", "parliament", "congress", "senate", "assembly", "police", "army", "league",
    "government", "trust", "society", "centre", "center", "fund", "chamber", "united", "workers",
}  # fmt: skip
UNIT_WORDS = {"celsius", "fahrenheit", "centigrade", "kelvin"}
