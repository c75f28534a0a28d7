"""Currencies as news text writes them, mapped to ISO 4217 codes.

Signs ("$", "€", "A$", "HK$"), codes ("USD", "EUR 2bn"), words ("euros", "Swiss francs",
"US cents") and minor units ("52 cents", "86p") all resolve to one code, so analysts can total
amounts per currency. A bare "$" is the US dollar unless the text says otherwise; words that
several countries use ("pesos", "rupees", "shillings") take the country the article mentions.
"""

from __future__ import annotations

import re

# Signs and sign-prefixed forms, longest first so "HK$" wins over "$".
SIGNS: dict[str, str] = {
    "US$": "USD",
    "U.S.$": "USD",
    "A$": "AUD",
    "AU$": "AUD",
    "C$": "CAD",
    "CA$": "CAD",
    "CAN$": "CAD",
    "HK$": "HKD",
    "NZ$": "NZD",
    "S$": "SGD",
    "R$": "BRL",
    "MX$": "MXN",
    "NT$": "TWD",
    "$": "USD",
    "£": "GBP",
    "€": "EUR",
    "¥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "₦": "NGN",
    "₱": "PHP",
    "₪": "ILS",
    "₫": "VND",
    "Rs.": "INR",
    "Rs": "INR",
    "Fr.": "CHF",
}
ISO_CODES = {
    "USD", "EUR", "GBP", "JPY", "CNY", "RMB", "CHF", "INR", "KRW", "CAD", "AUD", "HKD", "NZD", "SGD", "BRL",
    "MXN", "RUB", "ZAR", "SEK", "NOK", "DKK", "PLN", "TRY", "KES", "NGN", "EGP", "ILS", "THB", "IDR", "MYR",
    "PHP", "VND", "PKR", "BDT", "CZK", "HUF", "ARS", "CLP", "COP", "PEN", "AED", "SAR", "QAR", "TWD", "UAH",
}  # fmt: skip
# Currency words after a number; the key is the singular, lower-case noun.
WORDS: dict[str, str | None] = {
    "dollar": "USD",
    "euro": "EUR",
    "pound": "GBP",
    "sterling": "GBP",
    "pound sterling": "GBP",
    "yen": "JPY",
    "yuan": "CNY",
    "renminbi": "CNY",
    "rupee": None,  # INR unless the article is about Pakistan, Sri Lanka or Nepal
    "franc": "CHF",
    "peso": None,  # by the country the article mentions
    "sol": "PEN",
    "lira": "TRY",
    "won": "KRW",
    "rand": "ZAR",
    "krona": "SEK",
    "kronor": "SEK",
    "krone": None,
    "kroner": None,
    "zloty": "PLN",
    "ringgit": "MYR",
    "baht": "THB",
    "dong": "VND",
    "naira": "NGN",
    "shilling": None,
    "riyal": "SAR",
    "dirham": "AED",
    "ruble": "RUB",
    "rouble": "RUB",
    "real": "BRL",
    "forint": "HUF",
    "hryvnia": "UAH",
    "rupiah": "IDR",
    "taka": "BDT",
    "koruna": "CZK",
}
PLURALS = {
    "dollars": "dollar",
    "euros": "euro",
    "pounds": "pound",
    "rupees": "rupee",
    "francs": "franc",
    "pesos": "peso",
    "soles": "sol",
    "liras": "lira",
    "lire": "lira",
    "zlotys": "zloty",
    "shillings": "shilling",
    "riyals": "riyal",
    "dirhams": "dirham",
    "rubles": "ruble",
    "roubles": "rouble",
    "reais": "real",
    "forints": "forint",
    "hryvnias": "hryvnia",
}
# Nationality words that pin a dollar, franc, peso, rupee, krone or shilling to one currency.
NATIONAL: dict[str, dict[str, str]] = {
    "dollar": {
        "us": "USD", "u.s.": "USD", "american": "USD", "canadian": "CAD", "australian": "AUD", "aussie": "AUD",
        "new zealand": "NZD", "hong kong": "HKD", "singapore": "SGD", "taiwan": "TWD", "taiwanese": "TWD",
    },
    "franc": {"swiss": "CHF", "cfa": "XOF", "french": "FRF"},
    "peso": {
        "mexican": "MXN", "argentine": "ARS", "argentinian": "ARS", "chilean": "CLP", "colombian": "COP",
        "philippine": "PHP", "uruguayan": "UYU", "cuban": "CUP",
    },
    "rupee": {"indian": "INR", "pakistani": "PKR", "sri lankan": "LKR", "nepalese": "NPR", "nepali": "NPR"},
    "krone": {"danish": "DKK", "norwegian": "NOK"},
    "kroner": {"danish": "DKK", "norwegian": "NOK"},
    "krona": {"swedish": "SEK", "icelandic": "ISK"},
    "shilling": {"kenyan": "KES", "ugandan": "UGX", "tanzanian": "TZS"},
    "pound": {"egyptian": "EGP", "british": "GBP", "lebanese": "LBP"},
    "real": {"brazilian": "BRL"},
    "yuan": {"chinese": "CNY"},
    "yen": {"japanese": "JPY"},
    "won": {"south korean": "KRW", "korean": "KRW"},
    "lira": {"turkish": "TRY"},
    "rand": {"south african": "ZAR"},
}  # fmt: skip
# Country names in the article that settle an ambiguous word.
COUNTRY_HINTS: dict[str, list[tuple[str, str]]] = {
    "peso": [
        ("mexic", "MXN"), ("argentin", "ARS"), ("philippin", "PHP"), ("manila", "PHP"), ("chile", "CLP"),
        ("colombia", "COP"), ("uruguay", "UYU"), ("buenos aires", "ARS"),
    ],
    "rupee": [("pakistan", "PKR"), ("sri lanka", "LKR"), ("nepal", "NPR"), ("india", "INR")],
    "krone": [("norw", "NOK"), ("oslo", "NOK"), ("denmark", "DKK"), ("danish", "DKK"), ("copenhagen", "DKK")],
    "kroner": [("norw", "NOK"), ("oslo", "NOK"), ("denmark", "DKK"), ("danish", "DKK"), ("copenhagen", "DKK")],
    "shilling": [("kenya", "KES"), ("nairobi", "KES"), ("uganda", "UGX"), ("tanzania", "TZS")],
}  # fmt: skip
DEFAULTS = {"rupee": "INR", "peso": None, "krone": "DKK", "kroner": "DKK", "shilling": "KES"}

_NATIONALITY_RE = "|".join(sorted({re.escape(n) for table in NATIONAL.values() for n in table}, key=len, reverse=True))
CURRENCY_NOUN_PATTERN = (
    r"(?:(?:" + _NATIONALITY_RE + r")\s+)?"
    r"(?:dollars?|euros?|pounds?(?:\s+sterling)?|sterling|yen|yuan|renminbi|rupees?|francs?|pesos?|soles|"
    r"lira|liras|lire|won|rand|kronor|krona|kroner|krone|zlotys?|ringgit|baht|dong|naira|shillings?|riyals?|"
    r"dirhams?|rubles?|roubles?|reais|real|forints?|hryvnias?|rupiah|taka|koruna)"
)
CURRENCY_NOUN_RE = re.compile(r"\b" + CURRENCY_NOUN_PATTERN + r"\b", re.IGNORECASE)


def sign_code(sign: str) -> str | None:
    """ISO code of a currency sign or code as written ("HK$" → "HKD", "EUR" → "EUR", "RMB" → "CNY")."""
    s = sign.strip()
    if s.upper() == "RMB":
        return "CNY"
    if s.upper() in ISO_CODES:
        return s.upper()
    return SIGNS.get(s) or SIGNS.get(s.upper())


def noun_code(phrase: str, context: str = "") -> str | None:
    """ISO code of a currency noun phrase ("Canadian dollars" → "CAD", "pesos" + Mexico in context → "MXN")."""
    words = re.sub(r"\s+", " ", phrase.lower().strip())
    nationality = None
    noun = words
    for table in NATIONAL.values():
        for nat in sorted(table, key=len, reverse=True):
            if words.startswith(nat + " "):
                nationality, noun = nat, words[len(nat) + 1 :]
                break
        if nationality:
            break
    noun = PLURALS.get(noun, noun)
    if noun in ("pounds sterling", "pound sterling"):
        noun = "pound"
    if nationality and noun in NATIONAL and nationality in NATIONAL[noun]:
        return NATIONAL[noun][nationality]
    if noun not in WORDS:
        return None
    code = WORDS[noun]
    if code is not None:
        return code
    lowered = context.lower()
    for hint, hinted in COUNTRY_HINTS.get(noun, []):
        if hint in lowered:
            return hinted
    return DEFAULTS.get(noun)


def minor_unit_code(words_before: str, article_codes: list[str]) -> str:
    """The currency of "cents"/"pence": named ("US cents", "euro cents"), else the article's, else USD/GBP."""
    before = words_before.lower()
    if re.search(r"\beuro\b", before):
        return "EUR"
    for nat, code in NATIONAL["dollar"].items():
        if re.search(r"\b" + re.escape(nat) + r"$", before.strip()):
            return code
    for code in article_codes:
        if code in ("USD", "EUR", "CAD", "AUD", "NZD", "HKD", "SGD"):
            return code
    return "USD"
