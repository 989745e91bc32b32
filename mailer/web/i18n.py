"""The pages' own words in each language they speak; a campaign's text is shown as stored.

`pick` chooses among the campaign's languages: `?lang=xx`, then the visitor's
Accept-Language (by q-value), then the campaign's first language. A language the
catalogue lacks is still offered; its pages use English words.
"""

from __future__ import annotations

DEFAULT = "en"

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "casting_call": "Casting call", "requirements": "Requirements", "min_followers": "Minimum followers",
        "min_engagement": "Minimum engagement rate", "languages": "Languages", "opens": "Opens",
        "closes": "Closes", "no_limit": "none", "apply": "Apply", "handle": "Handle", "name": "Name",
        "email": "Email", "platforms": "Platforms", "followers": "Followers",
        "engagement": "Engagement rate (%)",
        "country": "Country (two letters)", "language": "Language", "fee": "Requested fee",
        "message": "Message", "submit": "Send my application", "received": "Application received",
        "received_text": "Thank you, @{handle}: your application was received and will be reviewed.",
        "ineligible": "Application recorded, not eligible",
        "ineligible_text": "Thank you, @{handle}: your profile is below this campaign's minimums "
                           "(followers or engagement rate), so it cannot be considered.",
        "closed": "This casting call is closed", "closed_text": "It takes no more applications.",
        "not_open": "This casting call is not open yet", "not_open_text": "Applications open on {when}.",
        "not_found": "There is no casting call at this address.", "problem": "Please correct this:",
        "error": "Something went wrong on our side; please try again later.", "required": "required",
        "in_zone": "in", "too_large": "The form is too large.",
    },
    "fr": {
        "casting_call": "Casting", "requirements": "Conditions", "min_followers": "Abonnés minimum",
        "min_engagement": "Taux d'engagement minimum", "languages": "Langues", "opens": "Ouverture",
        "closes": "Clôture", "no_limit": "aucun", "apply": "Candidater", "handle": "Identifiant",
        "name": "Nom", "email": "E-mail", "platforms": "Plateformes", "followers": "Abonnés",
        "engagement": "Taux d'engagement (%)", "country": "Pays (deux lettres)", "language": "Langue",
        "fee": "Tarif demandé", "message": "Message", "submit": "Envoyer ma candidature",
        "received": "Candidature reçue",
        "received_text": "Merci, @{handle} : votre candidature a bien été reçue et sera examinée.",
        "ineligible": "Candidature enregistrée, non éligible",
        "ineligible_text": "Merci, @{handle} : votre profil est en dessous des minimums de cette campagne "
                           "(abonnés ou taux d'engagement), elle ne peut donc pas être retenue.",
        "closed": "Ce casting est clos", "closed_text": "Il n'accepte plus de candidatures.",
        "not_open": "Ce casting n'est pas encore ouvert",
        "not_open_text": "Les candidatures ouvrent le {when}.",
        "not_found": "Il n'y a pas de casting à cette adresse.", "problem": "Veuillez corriger ceci :",
        "error": "Un problème est survenu de notre côté ; veuillez réessayer plus tard.",
        "required": "obligatoire", "in_zone": "à", "too_large": "Le formulaire est trop volumineux.",
    },
    "de": {
        "casting_call": "Casting", "requirements": "Voraussetzungen", "min_followers": "Mindestens Follower",
        "min_engagement": "Mindest-Engagement-Rate", "languages": "Sprachen", "opens": "Beginn",
        "closes": "Ende", "no_limit": "keine", "apply": "Bewerben", "handle": "Handle", "name": "Name",
        "email": "E-Mail", "platforms": "Plattformen", "followers": "Follower",
        "engagement": "Engagement-Rate (%)", "country": "Land (zwei Buchstaben)", "language": "Sprache",
        "fee": "Gewünschtes Honorar", "message": "Nachricht", "submit": "Bewerbung senden",
        "received": "Bewerbung erhalten",
        "received_text": "Danke, @{handle}: Ihre Bewerbung ist eingegangen und wird geprüft.",
        "ineligible": "Bewerbung erfasst, nicht geeignet",
        "ineligible_text": "Danke, @{handle}: Ihr Profil liegt unter den Mindestwerten dieser Kampagne "
                           "(Follower oder Engagement-Rate) und kann daher nicht berücksichtigt werden.",
        "closed": "Dieses Casting ist beendet", "closed_text": "Es nimmt keine Bewerbungen mehr an.",
        "not_open": "Dieses Casting ist noch nicht geöffnet",
        "not_open_text": "Bewerbungen sind ab {when} möglich.",
        "not_found": "Unter dieser Adresse gibt es kein Casting.", "problem": "Bitte korrigieren Sie:",
        "error": "Bei uns ist ein Fehler aufgetreten; bitte versuchen Sie es später erneut.",
        "required": "Pflichtfeld", "in_zone": "in", "too_large": "Das Formular ist zu groß.",
    },
    "es": {
        "casting_call": "Casting", "requirements": "Requisitos", "min_followers": "Seguidores mínimos",
        "min_engagement": "Tasa de interacción mínima", "languages": "Idiomas", "opens": "Apertura",
        "closes": "Cierre", "no_limit": "ninguno", "apply": "Postularse", "handle": "Usuario",
        "name": "Nombre", "email": "Correo electrónico", "platforms": "Plataformas",
        "followers": "Seguidores", "engagement": "Tasa de interacción (%)", "country": "País (dos letras)",
        "language": "Idioma", "fee": "Tarifa solicitada", "message": "Mensaje",
        "submit": "Enviar mi candidatura", "received": "Candidatura recibida",
        "received_text": "Gracias, @{handle}: hemos recibido tu candidatura y la revisaremos.",
        "ineligible": "Candidatura registrada, no elegible",
        "ineligible_text": "Gracias, @{handle}: tu perfil está por debajo de los mínimos de esta campaña "
                           "(seguidores o tasa de interacción), así que no puede tenerse en cuenta.",
        "closed": "Este casting está cerrado", "closed_text": "Ya no acepta candidaturas.",
        "not_open": "Este casting aún no está abierto",
        "not_open_text": "Las candidaturas abren el {when}.",
        "not_found": "No hay ningún casting en esta dirección.", "problem": "Corrige esto, por favor:",
        "error": "Algo ha fallado por nuestra parte; inténtalo más tarde.", "required": "obligatorio",
        "in_zone": "en", "too_large": "El formulario es demasiado grande.",
    },
    "it": {
        "casting_call": "Casting", "requirements": "Requisiti", "min_followers": "Follower minimi",
        "min_engagement": "Tasso di engagement minimo", "languages": "Lingue", "opens": "Apertura",
        "closes": "Chiusura", "no_limit": "nessuno", "apply": "Candidati", "handle": "Handle",
        "name": "Nome", "email": "E-mail", "platforms": "Piattaforme", "followers": "Follower",
        "engagement": "Tasso di engagement (%)", "country": "Paese (due lettere)", "language": "Lingua",
        "fee": "Compenso richiesto", "message": "Messaggio", "submit": "Invia la candidatura",
        "received": "Candidatura ricevuta",
        "received_text": "Grazie, @{handle}: la tua candidatura è stata ricevuta e sarà valutata.",
        "ineligible": "Candidatura registrata, non idonea",
        "ineligible_text": "Grazie, @{handle}: il tuo profilo è sotto i minimi di questa campagna "
                           "(follower o tasso di engagement), quindi non può essere considerato.",
        "closed": "Questo casting è chiuso", "closed_text": "Non accetta più candidature.",
        "not_open": "Questo casting non è ancora aperto",
        "not_open_text": "Le candidature aprono il {when}.",
        "not_found": "Non c'è nessun casting a questo indirizzo.", "problem": "Correggi questo:",
        "error": "Qualcosa è andato storto da parte nostra; riprova più tardi.", "required": "obbligatorio",
        "in_zone": "a", "too_large": "Il modulo è troppo grande.",
    },
}

NAMES = {"en": "English", "fr": "Français", "de": "Deutsch", "es": "Español", "it": "Italiano",
         "pt": "Português", "nl": "Nederlands"}


def words(language: str) -> dict[str, str]:
    """The catalogue of `language` (its primary subtag), English for what it lacks."""
    return {**STRINGS[DEFAULT], **STRINGS.get(language.split("-")[0].lower(), {})}


def _accepted(header: str) -> list[str]:
    """The primary language tags of an Accept-Language header, most wanted first."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and quality > 0:
            weighted.append((-quality, position, tag.split("-")[0].lower()))
    return [tag for _q, _p, tag in sorted(weighted)]


def pick(languages: tuple[str, ...] | list[str], asked: str | None, accept_language: str) -> str:
    """The page's language among the campaign's `languages`."""
    offered = [language.lower() for language in languages] or [DEFAULT]
    if asked and asked.lower() in offered:
        return asked.lower()
    primary = {language.split("-")[0]: language for language in offered}
    for tag in _accepted(accept_language):
        if tag in primary:
            return primary[tag]
    return offered[0]
