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
        "in_zone": "in",
        "too_large": "The form is too large; nothing was recorded.",
        "too_long": "The field {field} is too long (at most {limit} characters); nothing was recorded.",
        "form_expired": "This form has expired; reload the page and try again.",
        "too_many": "Too many submissions from your address; please wait ten minutes and try again.",
        "unreadable": "The form could not be read; reload the page and try again.",
        "link_not_found": "This link is not valid: it may be mistyped or out of date.",
        "invitation": "Invitation", "invited_by": "{sender} invites you to take part in {campaign}.",
        "answer_question": "Would you like to take part?", "yes": "Yes, I am interested",
        "no": "No, thank you", "answered_yes": "Thank you: your yes was recorded and will be reviewed.",
        "answered_no": "Thank you for letting us know: your answer was recorded.",
        "already_answered": "You already answered this invitation ({answer}); nothing changed.",
        "word_yes": "yes", "word_no": "no",
        "invitation_closed": "This campaign is closed; your answer was not recorded.",
        "choose": "Please choose one of the buttons.",
        "agreement": "Agreement", "deadline": "Sign before", "agreed_fee": "Fee",
        "sign": "I sign the agreement", "refuse": "I refuse the agreement",
        "signed_text": "Thank you: your signature was recorded.",
        "refused_text": "Your refusal of the agreement was recorded.",
        "already_signed": "You already signed this agreement; nothing changed.",
        "already_refused": "You already refused this agreement; nothing changed.",
        "agreement_expired": "This agreement expired on {when}; nothing was recorded. "
                             "Reply to the email to ask for a new one.",
        "agreement_not_waiting": "No agreement is waiting for your signature at this address.",
        "unsubscribe": "Unsubscribe", "unsubscribe_question": "Stop all email from {sender}?",
        "unsubscribe_button": "Unsubscribe me",
        "unsubscribed_text": "You are unsubscribed: you will not receive any more email from us.",
        "already_unsubscribed": "You were already unsubscribed; nothing changed.",
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
        "required": "obligatoire", "in_zone": "à",
        "too_large": "Le formulaire est trop volumineux ; rien n'a été enregistré.",
        "too_long": "Le champ {field} est trop long ({limit} caractères au plus) ; rien n'a été enregistré.",
        "form_expired": "Ce formulaire a expiré ; rechargez la page et réessayez.",
        "too_many": "Trop d'envois depuis votre adresse ; attendez dix minutes et réessayez.",
        "unreadable": "Le formulaire est illisible ; rechargez la page et réessayez.",
        "link_not_found": "Ce lien n'est pas valide : il est peut-être mal recopié ou périmé.",
        "invitation": "Invitation", "invited_by": "{sender} vous invite à participer à {campaign}.",
        "answer_question": "Souhaitez-vous participer ?", "yes": "Oui, ça m'intéresse",
        "no": "Non, merci", "answered_yes": "Merci : votre oui a été enregistré et sera examiné.",
        "answered_no": "Merci de nous avoir répondu : votre réponse a été enregistrée.",
        "already_answered": "Vous avez déjà répondu à cette invitation ({answer}) ; rien n'a changé.",
        "word_yes": "oui", "word_no": "non",
        "invitation_closed": "Cette campagne est close ; votre réponse n'a pas été enregistrée.",
        "choose": "Veuillez choisir l'un des boutons.",
        "agreement": "Contrat", "deadline": "À signer avant le", "agreed_fee": "Rémunération",
        "sign": "Je signe le contrat", "refuse": "Je refuse le contrat",
        "signed_text": "Merci : votre signature a été enregistrée.",
        "refused_text": "Votre refus du contrat a été enregistré.",
        "already_signed": "Vous avez déjà signé ce contrat ; rien n'a changé.",
        "already_refused": "Vous avez déjà refusé ce contrat ; rien n'a changé.",
        "agreement_expired": "Ce contrat a expiré le {when} ; rien n'a été enregistré. "
                             "Répondez à l'e-mail pour en demander un nouveau.",
        "agreement_not_waiting": "Aucun contrat n'attend votre signature à cette adresse.",
        "unsubscribe": "Désinscription", "unsubscribe_question": "Ne plus recevoir d'e-mails de {sender} ?",
        "unsubscribe_button": "Me désinscrire",
        "unsubscribed_text": "Vous êtes désinscrit : vous ne recevrez plus d'e-mails de notre part.",
        "already_unsubscribed": "Vous étiez déjà désinscrit ; rien n'a changé.",
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
        "required": "Pflichtfeld", "in_zone": "in",
        "too_large": "Das Formular ist zu groß; nichts wurde erfasst.",
        "too_long": "Das Feld {field} ist zu lang (höchstens {limit} Zeichen); nichts wurde erfasst.",
        "form_expired": "Dieses Formular ist abgelaufen; laden Sie die Seite neu und versuchen Sie es "
                        "erneut.",
        "too_many": "Zu viele Einsendungen von Ihrer Adresse; bitte warten Sie zehn Minuten und "
                    "versuchen Sie es erneut.",
        "unreadable": "Das Formular ist nicht lesbar; laden Sie die Seite neu und versuchen Sie es erneut.",
        "link_not_found": "Dieser Link ist ungültig: Er ist vielleicht falsch abgeschrieben oder veraltet.",
        "invitation": "Einladung", "invited_by": "{sender} lädt Sie ein, an {campaign} teilzunehmen.",
        "answer_question": "Möchten Sie teilnehmen?", "yes": "Ja, ich habe Interesse",
        "no": "Nein, danke", "answered_yes": "Danke: Ihre Zusage wurde erfasst und wird geprüft.",
        "answered_no": "Danke für Ihre Rückmeldung: Ihre Antwort wurde erfasst.",
        "already_answered": "Sie haben diese Einladung bereits beantwortet ({answer}); "
                            "nichts wurde geändert.",
        "word_yes": "ja", "word_no": "nein",
        "invitation_closed": "Diese Kampagne ist beendet; Ihre Antwort wurde nicht erfasst.",
        "choose": "Bitte wählen Sie eine der Schaltflächen.",
        "agreement": "Vereinbarung", "deadline": "Unterschreiben bis", "agreed_fee": "Honorar",
        "sign": "Ich unterschreibe die Vereinbarung", "refuse": "Ich lehne die Vereinbarung ab",
        "signed_text": "Danke: Ihre Unterschrift wurde erfasst.",
        "refused_text": "Ihre Ablehnung der Vereinbarung wurde erfasst.",
        "already_signed": "Sie haben diese Vereinbarung bereits unterschrieben; nichts wurde geändert.",
        "already_refused": "Sie haben diese Vereinbarung bereits abgelehnt; nichts wurde geändert.",
        "agreement_expired": "Diese Vereinbarung ist am {when} abgelaufen; nichts wurde erfasst. "
                             "Antworten Sie auf die E-Mail, um eine neue zu erhalten.",
        "agreement_not_waiting": "Unter dieser Adresse wartet keine Vereinbarung auf Ihre Unterschrift.",
        "unsubscribe": "Abmelden", "unsubscribe_question": "Keine E-Mails mehr von {sender} erhalten?",
        "unsubscribe_button": "Abmelden",
        "unsubscribed_text": "Sie sind abgemeldet: Sie erhalten keine E-Mails mehr von uns.",
        "already_unsubscribed": "Sie waren bereits abgemeldet; nichts wurde geändert.",
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
        "in_zone": "en", "too_large": "El formulario es demasiado grande; no se ha registrado nada.",
        "too_long": "El campo {field} es demasiado largo (como máximo {limit} caracteres); "
                    "no se ha registrado nada.",
        "form_expired": "Este formulario ha caducado; recarga la página y vuelve a intentarlo.",
        "too_many": "Demasiados envíos desde tu dirección; espera diez minutos y vuelve a intentarlo.",
        "unreadable": "No se ha podido leer el formulario; recarga la página y vuelve a intentarlo.",
        "link_not_found": "Este enlace no es válido: puede estar mal copiado o caducado.",
        "invitation": "Invitación", "invited_by": "{sender} te invita a participar en {campaign}.",
        "answer_question": "¿Quieres participar?", "yes": "Sí, me interesa",
        "no": "No, gracias", "answered_yes": "Gracias: hemos registrado tu sí y lo revisaremos.",
        "answered_no": "Gracias por avisarnos: hemos registrado tu respuesta.",
        "already_answered": "Ya respondiste a esta invitación ({answer}); no ha cambiado nada.",
        "word_yes": "sí", "word_no": "no",
        "invitation_closed": "Esta campaña está cerrada; tu respuesta no se ha registrado.",
        "choose": "Elige uno de los botones, por favor.",
        "agreement": "Acuerdo", "deadline": "Firmar antes del", "agreed_fee": "Tarifa",
        "sign": "Firmo el acuerdo", "refuse": "Rechazo el acuerdo",
        "signed_text": "Gracias: hemos registrado tu firma.",
        "refused_text": "Hemos registrado tu rechazo del acuerdo.",
        "already_signed": "Ya firmaste este acuerdo; no ha cambiado nada.",
        "already_refused": "Ya rechazaste este acuerdo; no ha cambiado nada.",
        "agreement_expired": "Este acuerdo caducó el {when}; no se ha registrado nada. "
                             "Responde al correo para pedir uno nuevo.",
        "agreement_not_waiting": "Ningún acuerdo espera tu firma en esta dirección.",
        "unsubscribe": "Darse de baja", "unsubscribe_question": "¿Dejar de recibir correos de {sender}?",
        "unsubscribe_button": "Darme de baja",
        "unsubscribed_text": "Te has dado de baja: no recibirás más correos nuestros.",
        "already_unsubscribed": "Ya estabas dado de baja; no ha cambiado nada.",
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
        "in_zone": "a", "too_large": "Il modulo è troppo grande; non è stato registrato nulla.",
        "too_long": "Il campo {field} è troppo lungo (al massimo {limit} caratteri); "
                    "non è stato registrato nulla.",
        "form_expired": "Questo modulo è scaduto; ricarica la pagina e riprova.",
        "too_many": "Troppi invii dal tuo indirizzo; attendi dieci minuti e riprova.",
        "unreadable": "Impossibile leggere il modulo; ricarica la pagina e riprova.",
        "link_not_found": "Questo link non è valido: forse è stato copiato male o è scaduto.",
        "invitation": "Invito", "invited_by": "{sender} ti invita a partecipare a {campaign}.",
        "answer_question": "Vuoi partecipare?", "yes": "Sì, mi interessa",
        "no": "No, grazie", "answered_yes": "Grazie: il tuo sì è stato registrato e sarà valutato.",
        "answered_no": "Grazie per averci risposto: la tua risposta è stata registrata.",
        "already_answered": "Hai già risposto a questo invito ({answer}); non è cambiato nulla.",
        "word_yes": "sì", "word_no": "no",
        "invitation_closed": "Questa campagna è chiusa; la tua risposta non è stata registrata.",
        "choose": "Scegli uno dei pulsanti.",
        "agreement": "Accordo", "deadline": "Da firmare entro il", "agreed_fee": "Compenso",
        "sign": "Firmo l'accordo", "refuse": "Rifiuto l'accordo",
        "signed_text": "Grazie: la tua firma è stata registrata.",
        "refused_text": "Il tuo rifiuto dell'accordo è stato registrato.",
        "already_signed": "Hai già firmato questo accordo; non è cambiato nulla.",
        "already_refused": "Hai già rifiutato questo accordo; non è cambiato nulla.",
        "agreement_expired": "Questo accordo è scaduto il {when}; non è stato registrato nulla. "
                             "Rispondi all'e-mail per chiederne uno nuovo.",
        "agreement_not_waiting": "Nessun accordo attende la tua firma a questo indirizzo.",
        "unsubscribe": "Annulla iscrizione", "unsubscribe_question": "Non ricevere più e-mail da {sender}?",
        "unsubscribe_button": "Annulla la mia iscrizione",
        "unsubscribed_text": "Iscrizione annullata: non riceverai più e-mail da noi.",
        "already_unsubscribed": "La tua iscrizione era già annullata; non è cambiato nulla.",
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
