"""The reply signal's rules: phrases per language, negation, quoted text, auto-replies."""

from __future__ import annotations

import pytest

from store.reply_signal import NEGATIVE, NEUTRAL, POSITIVE, auto_reply_headers, guess, own_words


@pytest.mark.parametrize("body", [
    "Yes, count me in!", "yes I'm interested", "Sounds great, I'd love to join.",
    "Hi Ana,\n\nYes!\n\nBest, Bo",
    "Oui, avec plaisir !", "Je suis partante, merci.", "Très intéressée par la collab",
    "Gerne, ich bin dabei.", "Ja, klingt gut.", "Sehr gerne!",
    "¡Sí! Me encantaría participar.", "Cuenta conmigo.", "Me interesa mucho",
    "Sì, volentieri!", "Mi interessa, ci sto.", "Con piacere",
    "No worries, I'm interested.", "No problem, count me in", "Love it! When do we start?",
    "I can't wait to start!", "OK, let's go!", "Hello! Yes of course",
])
def test_explicit_yes_in_each_language_is_positive(body: str) -> None:
    assert guess("Re: Glow", body).signal == POSITIVE, guess("Re: Glow", body)


@pytest.mark.parametrize("body", [
    "Not interested, sorry.", "No thanks.", "No.", "Thanks but I'll pass.",
    "I am not really interested in this.", "I'm not that interested",
    "Non merci.", "Je ne suis pas intéressée.", "Malheureusement je n'ai pas le temps.",
    "Kein Interesse.", "Nein, danke.", "Ich bin nicht interessiert.", "Leider keine Zeit.",
    "No, gracias.", "No me interesa.", "No estoy interesado.",
    "No grazie.", "Non mi interessa.", "Purtroppo non posso.", "Non sono interessata.",
    "Absolutely not interested", "Count me out.", "Thank you, but no.", "Merci, mais non.",
    "Danke, aber nein.", "Sorry, I can't.", "Je ne peux pas, désolé.", "Lo siento, no puedo.",
    "Non posso, mi dispiace.",
])
def test_explicit_no_and_negated_yes_are_negative(body: str) -> None:
    assert guess("Re: Glow", body).signal == NEGATIVE, guess("Re: Glow", body)


@pytest.mark.parametrize("body", [
    "unsubscribe", "Please unsubscribe me, I'm interested in nothing.", "Stop emailing me!",
    "Yes, remove me from your list", "Désinscrivez-moi", "Bitte abmelden", "Quiero darme de baja",
    "Cancellami dalla lista",
])
def test_unsubscribe_and_stop_are_negative_whatever_else_is_said(body: str) -> None:
    assert guess("Re: Glow", body).signal == NEGATIVE


@pytest.mark.parametrize("body", [
    "", "Thanks for the email. What is the fee?", "Can you send the brief?",
    "I'd love to, but unfortunately I can't this month.",  # both: the operator decides
    "Si vous voulez, appelez-moi.",  # a French "if", not a Spanish yes
    "I'm in London this week; what is the fee?",
])
def test_no_clear_word_or_both_is_neutral(body: str) -> None:
    assert guess("Re: Glow", body).signal == NEUTRAL


@pytest.mark.parametrize("body", [
    "What is the fee?\n\n> Are you interested? Count me in if yes.",
    "What is the fee?\n\nOn Mon, 5 Jan 2026 at 10:00, Glow <glow@example.com> wrote:\nYes I'm interested",
    "What is the fee?\n\nOn Mon, 5 Jan 2026 at 10:00, Glow <glow@\nexample.com> wrote:\nsounds good",
    "Quel tarif ?\n\nLe lun. 5 janv. 2026 à 10:00, Glow a écrit :\nAvec plaisir",
    "Welches Honorar?\n\nAm 05.01.2026 um 10:00 schrieb Glow <glow@example.com>:\ngerne",
    "¿Qué tarifa?\n\nEl lun, 5 ene 2026 a las 10:00, Glow escribió:\nme encantaría",
    "Quale compenso?\n\nIl giorno lun 5 gen 2026, Glow ha scritto:\nvolentieri",
    "What is the fee?\n\n-----Original Message-----\nFrom: Glow\nno thanks",
    "What is the fee?\n\nFrom: Glow <glow@example.com>\nSent: Monday\nunsubscribe",
    "What is the fee?\n-- \nBo, who is always interested",
])
def test_quoted_text_and_signatures_are_not_read(body: str) -> None:
    assert guess("Re: Glow", body).signal == NEUTRAL


def test_their_own_words_are_kept_above_the_quote() -> None:
    body = "Count me in!\n\nOn Mon, Glow wrote:\n> not interested?"
    assert own_words(body) == "Count me in!"
    assert guess("Re: Glow", body).signal == POSITIVE


@pytest.mark.parametrize("subject", [
    "Out of office: Glow", "Automatic reply: Glow", "Auto-Reply: Glow", "Abwesenheitsnotiz: Glow",
    "Automatische Antwort: Glow", "Réponse automatique : Glow", "Absence du bureau",
    "Fuera de la oficina", "Respuesta automática: Glow", "Risposta automatica: Glow", "Fuori ufficio",
    "OUT OF THE OFFICE",
])
def test_auto_reply_subjects(subject: str) -> None:
    found = guess(subject, "Back on Monday.")
    assert found.auto_reply and found.signal == NEUTRAL


@pytest.mark.parametrize("body", [
    "This is an automatic reply. I am out of the office until Monday.",
    "Je suis absente du bureau jusqu'au 12.", "Ich bin derzeit nicht im Büro.",
    "Estoy fuera de la oficina.", "Sono fuori ufficio fino a lunedì.",
])
def test_auto_reply_text_counts_when_it_says_neither_yes_nor_no(body: str) -> None:
    assert guess("Re: Glow", body).auto_reply


def test_a_person_who_is_away_but_says_yes_is_not_an_auto_reply() -> None:
    found = guess("Re: Glow", "I'm out of office next week, but count me in!")
    assert not found.auto_reply and found.signal == POSITIVE


def test_headers_decide_before_the_text() -> None:
    found = guess("Re: Glow", "Yes, count me in", auto_headers=True)
    assert found.auto_reply and found.signal == NEUTRAL


@pytest.mark.parametrize(("headers", "auto"), [
    ({"Auto-Submitted": "auto-replied"}, True), ({"Auto-Submitted": "auto-generated"}, True),
    ({"Auto-Submitted": "no"}, False), ({"X-Autoreply": "yes"}, True), ({"X-Autorespond": "1"}, True),
    ({"Precedence": "auto_reply"}, True), ({"Precedence": "bulk"}, True), ({"Precedence": "junk"}, True),
    ({"Precedence": "list"}, False), ({}, False),
])
def test_auto_reply_headers(headers: dict[str, str], auto: bool) -> None:
    lowered = {name.lower(): value for name, value in headers.items()}
    assert auto_reply_headers(lambda name: lowered.get(name.lower(), "")) is auto


def test_a_curly_apostrophe_reads_as_a_straight_one() -> None:
    assert guess("Re: Glow", "I\u2019m in!").signal == POSITIVE
