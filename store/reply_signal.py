"""The first guess at what a reply says: positive, negative or neutral, and whether a machine wrote it.

The rules are small on purpose, so an operator can predict them (and override them):

- An auto-reply is recognised by its headers (`Auto-Submitted` other than `no`, `X-Autoreply`,
  `X-Autorespond`, `Precedence: auto_reply|bulk|junk`), by its subject ("Out of office",
  "Abwesenheitsnotiz", "Réponse automatique"…), or by its text ("this is an automatic reply",
  "je suis absent du bureau"…) when that text says neither yes nor no. It is neutral.
- Only what they wrote counts: lines quoted with `>`, and everything from an attribution line
  ("On … wrote:", "Le … a écrit :", "Am … schrieb …:", "El … escribió:", "Il … ha scritto:") or an
  "Original message" header on, are dropped, as is a signature after "-- ".
- Explicit phrases in English, French, German, Spanish and Italian: "count me in", "avec plaisir",
  "gerne", "me encantaría", "mi interessa" are positive; "not interested", "no thanks",
  "pas intéressé", "kein Interesse", "unfortunately" are negative. A yes or no word counts only as
  the first word of the reply ("Yes!", "Nein."), so "no problem" is not a no.
- A positive phrase with a negation ("not", "pas", "nicht", "no", "non"…) among the three words
  before it, in the same clause, is negative: "I'm not really interested".
- "unsubscribe", "stop emailing", "remove me" and their kind are negative whatever else is said;
  otherwise both kinds of phrase together are neutral (the operator decides), one kind wins.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

POSITIVE, NEGATIVE, NEUTRAL = "positive", "negative", "neutral"
SIGNALS = (POSITIVE, NEGATIVE, NEUTRAL)

_AUTO_PRECEDENCE = {"auto_reply", "bulk", "junk"}
_AUTO_FLAG_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder")

# Anywhere in the subject: what mail clients put there for an absence notice.
_AUTO_SUBJECT = re.compile(
    r"out of (?:the )?office|automatic reply|auto[- ]?reply|autoresponse|auto[- ]?response|"
    r"abwesenheitsnotiz|automatische antwort|abwesend|"
    r"réponse automatique|absence du bureau|message d'absence|"
    r"respuesta automática|fuera de la oficina|ausente|"
    r"risposta automatica|fuori (?:ufficio|sede)|"
    r"^auto:|^\[auto", re.I)
_AUTO_TEXT = re.compile(
    r"this is an auto(?:matic|mated)(?: reply| response| message)?|automatic reply|"
    r"i(?: am|'m) (?:currently )?"
    r"(?:out of (?:the )?office|away from (?:the|my) (?:office|desk)|on (?:vacation|holiday|leave))|"
    r"réponse automatique|message automatique|je suis (?:actuellement )?absente? (?:du bureau|jusqu)|"
    r"automatische antwort|abwesenheitsnotiz|"
    r"ich bin (?:derzeit |zurzeit |bis )?(?:nicht im büro|abwesend|im urlaub)|"
    r"respuesta automática|estoy (?:fuera de la oficina|de vacaciones|ausente)|"
    r"risposta automatica|sono (?:fuori (?:ufficio|sede)|in ferie|assente)", re.I)

# Attribution lines and the header blocks of forwarded or quoted mail: what follows is theirs no more.
_QUOTE_START = re.compile(
    r"^\s*(?:on\b.{0,300}\bwrote\s*:|le\b.{0,300}\ba écrit\s*:|am\b.{0,300}\bschrieb\b.{0,300}:|"
    r"el\b.{0,300}\bescribió\s*:|il\b.{0,300}\bha scritto\s*:|"
    r"-{2,}\s*(?:original message|message d'origine|ursprüngliche nachricht|mensaje original|"
    r"messaggio originale)\b.*)\s*$", re.I)
_HEADER_BLOCK = (re.compile(r"^\s*(?:from|de|von|da)\s*:\s*\S", re.I),
                 re.compile(r"^\s*(?:sent|date|envoyé|gesendet|datum|enviado|fecha|inviato|data)\s*:", re.I))

# Said these, they want no more mail: negative whatever else the reply says.
_STRONG_NEGATIVE = [
    r"unsubscribe", r"stop (?:e-?mailing|mailing|contacting|writing to|sending)", r"remove me",
    r"take me off", r"(?:do not|don't) (?:contact|email|e-mail|write to) me",
    r"désinscri\w*", r"ne (?:me )?(?:contactez|écrivez) plus",
    r"ne plus (?:me )?(?:contacter|écrire|recevoir)",
    r"abmelden", r"austragen", r"kontaktieren sie mich nicht", r"keine (?:e-?mails|mails|nachrichten) mehr",
    r"darme de baja", r"dejen? de (?:escribirme|contactarme|enviarme)", r"no me (?:escriban|contacten) más",
    r"cancellami", r"disiscriv\w*", r"non (?:contattatemi|scrivetemi) più",
]
_NEGATIVE = [
    r"(?:absolutely|definitely|certainly) not(?: interested)?", r"no,? thanks?", r"no,? thank you",
    r"not interested", r"not for me", r"(?:i'll|i will|i'm going to) pass", r"count me out",
    r"(?:but|mais|aber|pero|ma),? (?:no|non|nein)(?= *[.!;]| *$)", r"i can(?:'t|not)(?! wait| believe)",
    r"je ne (?:peux|pourrai) pas", r"ich kann (?:leider )?nicht", r"no puedo", r"non posso",
    r"(?:i )?(?:have to|must|will) decline", r"unfortunately", r"not (?:this|right) (?:time|now)",
    r"non,? merci", r"pas (?:du tout )?intéressée?s?", r"pas pour moi", r"malheureusement",
    r"je (?:dois )?décliner?", r"je passe mon tour",
    r"kein(?:e|en)? interesse", r"nein,? danke", r"nicht interessiert", r"leider", r"nichts für mich",
    r"no,? gracias", r"no me interesa", r"no estoy interesad[oa]s?", r"lamentablemente", r"por desgracia",
    r"no,? grazie", r"non mi interessa", r"non sono interessat[oaie]", r"purtroppo",
]
_POSITIVE = [
    r"count me in", r"i(?:'m| am) in(?= *[.!,;]| *$)", r"(?:i'm |i am )?interested",
    r"sounds (?:good|great|amazing|perfect)",
    r"(?:i'd|i would) love to", r"love to (?:join|take part|participate|collaborate)", r"happy to",
    r"sign me up", r"let's do (?:it|this)", r"let's go", r"can't wait", r"(?:i )?love (?:it|this|the idea)",
    r"i accept", r"with pleasure", r"absolutely", r"of course",
    r"avec plaisir", r"intéressée?s?", r"je suis partante?", r"volontiers", r"ça me (?:dit|tente|plaît)",
    r"je suis (?:dispo|disponible)", r"j'accepte", r"avec joie",
    r"gerne?", r"sehr gerne", r"bin dabei", r"interessiert", r"klingt (?:gut|super|toll)", r"einverstanden",
    r"me encantaría", r"me interesa", r"interesad[oa]s?", r"cuenta conmigo", r"con gusto", r"por supuesto",
    r"me apunto", r"mi interessa", r"interessat[oaie]", r"volentieri", r"ci sto", r"con piacere",
    r"contate su di me", r"mi piacerebbe",
]
# A yes or a no as the first word of the reply; "no problem" is not a no.
_OPENING_YES = re.compile(r"(?:yes|yeah|yep|sure|oui|ja|jawohl|sí|sì|claro|certo|certamente)(?=[\s!.,]|$)")
_OPENING_NO = re.compile(r"(?:no|nope|non|nein)(?=\s*[!.,;]|\s*$)")
_NEGATORS = {"not", "no", "never", "don't", "dont", "isn't", "aren't", "won't", "wouldn't", "can't", "cannot",
             "pas", "ne", "n'", "jamais", "nicht", "kein", "keine", "keinen", "nie", "nunca", "non", "mai"}
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\n]|\bbut\b|\bmais\b|\baber\b|\bpero\b|\bma\b")
_WORD = re.compile(r"[\w']+")
_HARMLESS_NO = re.compile(
    r"\b(?:no|kein|keine|non) (?:worries|problem[aeo]?s?|doubt|question|dubbio|duda|soucis?)\b")


def _compiled(phrases: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w'])(?:" + "|".join(phrases) + r")(?![\w'])")


@functools.cache
def _phrases() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(strong negative, negative, positive), compiled when the first reply is read: compiling them
    costs the app's start-up 15-40 ms, and the store imports this module for its migration."""
    return _compiled(_STRONG_NEGATIVE), _compiled(_NEGATIVE), _compiled(_POSITIVE)


@dataclass(frozen=True)
class Guess:
    """The rules' answer, and the phrase that decided it (for the tests and the curious)."""

    signal: str
    auto_reply: bool = False
    because: str = ""


def auto_reply_headers(header: Callable[[str], str]) -> bool:
    """Whether the headers (read through `header(name)`, "" when absent) say a machine answered."""
    submitted = header("Auto-Submitted").strip().lower()
    if submitted and not submitted.startswith("no"):
        return True
    if any(header(name).strip() and header(name).strip().lower() != "no" for name in _AUTO_FLAG_HEADERS):
        return True
    return header("Precedence").strip().lower() in _AUTO_PRECEDENCE


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    return text.replace("\u2019", "'").replace("\u00a0", " ")


def own_words(body: str) -> str:
    """The part of a reply they wrote: no quoted lines, no quoted message, no signature."""
    lines = body.splitlines()
    kept: list[str] = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if line.rstrip() == "--" or _QUOTE_START.match(line) or _QUOTE_START.match(f"{line} {following}"):
            break
        if _HEADER_BLOCK[0].match(line) and _HEADER_BLOCK[1].match(following):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    return "\n".join(kept).strip()


def _negated(text: str, start: int) -> bool:
    """Whether a negation stands among the three words before `start`, in the same clause
    ("no worries, I'm interested" is a yes)."""
    clause = _HARMLESS_NO.sub(" ", _CLAUSE_BREAK.split(text[:start])[-1])
    words = _WORD.findall(clause.replace("n'", "n' "))[-3:]
    return any(word in _NEGATORS for word in words)


def _openings(text: str) -> list[str]:
    """Where a lone yes or no may stand: the first line, or the line after a short greeting."""
    lines = [line.strip(" \t\"'¡¿*-") for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].endswith((",", "!")) and len(_WORD.findall(lines[0])) <= 4:
        return lines[:2]
    return lines[:1]


def _blank(text: str, pattern: re.Pattern[str]) -> tuple[str, list[str]]:
    """`text` with the matches of `pattern` blanked out (so a phrase inside them is not read again)."""
    found = [match.group(0) for match in pattern.finditer(text)]
    return pattern.sub(lambda match: "." + " " * (len(match.group(0)) - 1), text), found


def _sentiment(words: str) -> Guess:
    strong_negative, negative, positive = _phrases()
    strong = strong_negative.search(words)
    if strong:
        return Guess(NEGATIVE, because=strong.group(0))
    rest, negatives = _blank(words, negative)
    positives: list[str] = []
    for match in positive.finditer(rest):
        (negatives if _negated(rest, match.start()) else positives).append(match.group(0))
    for opening in _openings(rest):
        if (yes := _OPENING_YES.match(opening)) is not None:
            positives.append(yes.group(0))
        elif (no := _OPENING_NO.match(opening)) is not None:
            negatives.append(no.group(0))
    if positives and negatives:
        return Guess(NEUTRAL, because=f"both {positives[0]!r} and {negatives[0]!r}")
    if positives:
        return Guess(POSITIVE, because=positives[0])
    if negatives:
        return Guess(NEGATIVE, because=negatives[0])
    return Guess(NEUTRAL)


def guess(subject: str, body: str, *, auto_headers: bool = False) -> Guess:
    """The first guess for one incoming reply; `auto_headers` is what `auto_reply_headers` said."""
    if auto_headers:
        return Guess(NEUTRAL, auto_reply=True, because="headers")
    subject_auto = _AUTO_SUBJECT.search(_normal(subject))
    if subject_auto:
        return Guess(NEUTRAL, auto_reply=True, because=subject_auto.group(0))
    words = _normal(own_words(body))
    said = _sentiment(words)
    text_auto = _AUTO_TEXT.search(words)
    if text_auto and said.signal == NEUTRAL:
        return Guess(NEUTRAL, auto_reply=True, because=text_auto.group(0))
    return said
