# Nederlands: de teksten van de pagina's. Elke sleutel uit en.ftl staat
# hier ook, met dezelfde variabelen (`cargo test --lib i18n`).

## Datums en maanden

date-time = { $day } { $month } { $year } { $time } UTC
date-day = { $day } { $month } { $year }
month-1 = januari
month-2 = februari
month-3 = maart
month-4 = april
month-5 = mei
month-6 = juni
month-7 = juli
month-8 = augustus
month-9 = september
month-10 = oktober
month-11 = november
month-12 = december
never = nooit

## Elke pagina

skip-to-content = Naar de inhoud
nav-main = Hoofdmenu
nav-applications = Apps
nav-admin = Beheer
nav-sign-out = Uitloggen
footer-runs-on = draait op latchkey
button-copy = Kopiëren
button-revoke = Intrekken
button-cancel = Annuleren
button-delete = Verwijderen
button-save = Opslaan
button-filter = Filteren
button-search = Zoeken
button-enable = Inschakelen
button-disable = Uitschakelen
button-hide = Verbergen
button-show-again = Weer tonen
next-page = Volgende pagina
field-username = Gebruikersnaam
field-password = Wachtwoord
field-password-again = Wachtwoord nogmaals
field-new-password = Nieuw wachtwoord
field-new-password-again = Nieuw wachtwoord nogmaals
field-display-name = Weergavenaam
field-email = E-mailadres
hint-optional = (optioneel)
hint-password-length = (minstens 10 tekens)
hint-username = (2 tot 32 letters, cijfers, '.', '-' of '_')
role-admin = Beheerder
role-member = Lid
link-works-once = Deze link werkt één keer.
any = Alle
yes = ja
no = nee

## Paginatitels

title-sign-in = Inloggen
title-register = Account aanmaken
title-new-password = Kies een nieuw wachtwoord
title-setup = Maak de eerste beheerder aan
title-already-set-up = Al ingericht
title-consent = Toegang geven?
title-access-denied = Geen toegang gegeven
title-access-allowed = Toegang gegeven

## Foutpagina's

error-status = Fout { $status }
error-go-home = Naar de startpagina
err-sign-in-first = Log eerst in
err-sign-in-first-text = Deze pagina is voor ingelogde leden.
err-form-expired = Dit formulier is verlopen
err-form-expired-text = Het formulier kwam niet van de huidige pagina van deze site, of het is te oud. Ga terug, laad de pagina opnieuw en probeer het nog eens.
err-not-allowed = Niet toegestaan
err-admins-only = Deze pagina is voor de beheerders van de site.
err-form-unreadable = Het formulier kon niet worden gelezen
err-form-unreadable-text = Het formulier kon niet worden gelezen. Ga terug en probeer het nog eens.
err-form-too-large = Het formulier mag hoogstens { $limit } bytes zijn. Ga terug en probeer het nog eens.
err-bad-address = Dit adres klopt niet
err-not-found = Pagina niet gevonden
err-not-found-text = Op dit adres staat niets.
err-internal = Er ging iets mis
err-internal-text = De server kon dit verzoek niet afmaken. Er is niets veranderd; probeer het zo nog eens.
err-https-required = Deze pagina is alleen via HTTPS bereikbaar: inloggegevens mogen nooit onversleuteld over het net gaan. Gebruik het https://-adres.
err-nothing-to-revoke = Niets in te trekken
err-nothing-to-revoke-text = Je hebt deze app geen toegang gegeven, of de toegang is al ingetrokken.
err-setup-link = Deze inrichtingslink is niet geldig
err-setup-link-text = Hij is al gebruikt, is verlopen (links zijn een uur geldig) of is vervangen door een nieuwere. Voer `latchkey setup` uit op de server voor een nieuwe link.
err-invite-link = Deze uitnodigingslink is niet geldig
err-invite-link-text = Hij is al gebruikt of is verlopen (uitnodigingen zijn zeven dagen geldig). Vraag een beheerder om een nieuwe.
err-registration-closed = Aanmelden is gesloten
err-registration-invite = Voor deze site heb je een uitnodigingslink nodig. Vraag er een aan een beheerder van de site.
err-registration-closed-text = Op deze site kun je je niet zelf aanmelden. Een beheerder kan je toevoegen of je een uitnodigingslink sturen.
err-reset-link = Deze link is niet geldig
err-reset-link-text = Hij is al gebruikt of is verlopen. Vraag een beheerder om een nieuwe.
err-signin-link = Deze inloglink is niet geldig
err-signin-link-text = Hij is al gebruikt, is verlopen (inloglinks zijn vijf minuten geldig) of het account kan niet inloggen. Vraag de app om een nieuwe, of log in met je wachtwoord.
err-bad-language = Deze taal is niet beschikbaar
err-bad-language-text = Kies een van de talen uit de lijst.
err-app-not-identified = De app is onbekend
err-app-not-identified-text = De link die je hierheen bracht heeft geen client_id. Ga terug naar de app en probeer het nog eens.
err-unknown-app = Onbekende app
err-unknown-app-text = Er is hier geen app met deze client_id geregistreerd.
err-bad-request = Het verzoek van deze app is niet geldig
err-redirect-not-registered = Het terugkeeradres van deze app is niet geregistreerd: het adres waarheen de app wilde terugkeren is niet een van de adressen die de app heeft opgegeven, dus je bent daar niet heen gestuurd.
err-no-redirect = De app zei niet waarheen je moest terugkeren.
err-session-ended = Je sessie is afgelopen; ga terug naar de app en begin opnieuw.
err-oauth1-cannot-go-on = Het verzoek van deze app kan niet verder
err-oauth1-missing = De link heeft geen oauth_token. Ga terug naar de app en begin opnieuw.
err-oauth1-unknown = Dit verzoek is onbekend of al gebruikt. Ga terug naar de app en begin opnieuw.
err-oauth1-expired = Dit verzoek is verlopen. Ga terug naar de app en begin opnieuw.
err-oauth1-decided = Je hebt dit verzoek al beantwoord. Ga terug naar de app.
err-oauth1-disabled = Deze app is uitgeschakeld.
err-oauth1-callback = Het terugkeeradres klopt niet met wat de app heeft geregistreerd: { $why }

## Formulieren

form-passwords-differ = De twee wachtwoorden zijn niet gelijk.
form-username-taken = Deze gebruikersnaam is al bezet; kies een andere.
form-too-many-attempts = Te veel pogingen. Probeer het over { $minutes ->
    [one] { $minutes } minuut
   *[other] { $minutes } minuten
} nog eens.
invalid-username-length = Moet 2 tot 32 tekens lang zijn.
invalid-username-chars = Mag letters, cijfers, '.', '-' en '_' bevatten en moet met een letter of cijfer beginnen.
invalid-email = Is geen e-mailadres.
invalid-display-name = Mag hoogstens 100 leesbare tekens lang zijn.
invalid-password-short = Het wachtwoord moet minstens 10 tekens lang zijn.
invalid-password-long = Het wachtwoord mag hoogstens 1024 tekens lang zijn.
invalid-password-username = Het wachtwoord mag niet gelijk zijn aan de gebruikersnaam.

## Inloggen

login-heading = Inloggen bij
login-submit = Inloggen
login-new-here = Nieuw hier?
login-create-account = Maak een account aan
login-sign-in-with = Inloggen met { $name }
login-other-site = De pagina die je hierheen stuurde wilde je terugsturen naar een andere site; je gaat in plaats daarvan naar je account.
login-password-set = Je nieuwe wachtwoord is ingesteld. Al je sessies en de toegang van alle apps tot je account zijn beëindigd. Log in met je nieuwe wachtwoord.
login-signed-out = Je bent uitgelogd.
login-wrong = Gebruikersnaam of wachtwoord klopt niet.
login-too-many = Te veel inlogpogingen. Probeer het over { $minutes ->
    [one] { $minutes } minuut
   *[other] { $minutes } minuten
} nog eens.
link-sent-you = Een app die je gebruikt stuurde je hierheen om in te loggen als
link-five-minutes = De link werkt één keer, vijf minuten lang. Heb je er niet om gevraagd, sluit deze pagina dan.
link-continue-as = Doorgaan als { $username }

## Aanmelden, wachtwoord herstellen, inrichten

register-heading = Maak een account aan bij { $site }
register-invited = Je bent uitgenodigd. Deze link werkt één keer.
register-submit = Account aanmaken en inloggen
register-already-member = Al lid?
reset-for = Voor
reset-submit = Wachtwoord instellen
setup-text = Met dit account beheer je de site: leden, apps en tokens.
setup-submit = Beheerder aanmaken en inloggen
setup-done-heading = Deze site is ingericht
setup-done-text = Er is al een beheerdersaccount, dus de inrichtingspagina doet niets meer.

## Toestemming

consent-allow = Mag
consent-to-use-at = je account gebruiken bij
consent-question-end = ?
consent-from = Van
consent-it-will = De app kan dan
consent-signed-in-as = Ingelogd als { $username }.
consent-switch = Ben jij dit niet? Wissel van gebruiker
consent-trust = Geef alleen toegang aan apps die je vertrouwt; je kunt dit later weer intrekken.
consent-approve = Toestaan
consent-deny = Weigeren
verifier-denied = Je hebt geen toegang gegeven aan
verifier-denied-text = Er is niets gedeeld. Je kunt deze pagina sluiten en teruggaan naar de app.
verifier-allowed = Je hebt toegang gegeven aan
verifier-copy = Kopieer deze code naar { $app } om af te ronden:
verifier-once = De code werkt één keer, alleen voor dit verzoek.
verifier-go-back = Ga terug naar { $app } om af te ronden.
verifier-take-back = Je kunt deze toegang altijd weer intrekken vanuit je account.

## Wat scopes een app laten doen

scope-openid = Je laten inloggen met je account
scope-profile = Je naam en profiel zien
scope-email = Je e-mailadres zien
scope-offline_access = Toegang tot je account houden terwijl je de app niet gebruikt
scope-users-read = Namen en profielen van andere leden zien
scope-groups-read = Groepen zien en wie erin zitten
scope-posts-read = Berichten, reacties en tags lezen die jij kunt zien
scope-events-read = Evenementen zien en wie er gaan
scope-files-read = Bestanden zien en downloaden die jij kunt zien
scope-activity-read = Nieuwe activiteit in je groepen zien en als gelezen markeren
scope-profile-write = Je profiel, foto en wachtwoord wijzigen
scope-groups-write = Groepen aanmaken en beheren, en namens jou lid worden of opzeggen
scope-posts-write = Namens jou berichten en reacties schrijven, bewerken en verwijderen, en berichten leuk vinden
scope-events-write = Evenementen aanmaken en bewerken, en je ervoor aanmelden
scope-files-write = Bestanden en mappen uploaden, wijzigen en verwijderen
scope-push = Meldingen sturen naar je telefoon of browser
scope-applications = De apps met toegang tot je account zien en intrekken
scope-connections = De accounts bij andere sites die je hebt gekoppeld zien, en ze voor je gebruiken
scope-read = Alles lezen wat jij kunt zien
scope-write = Alles wijzigen wat jij kunt wijzigen

## Account

account-heading = Je account
account-applications-link = Apps met toegang tot je account
account-details = Gegevens
account-no-email = geen
account-role = Rol
account-member-since = Lid sinds
account-signed-in = Ingelogd
account-language = Taal
account-language-label = Toon de pagina's in
account-language-browser = De taal van mijn browser
account-language-save = Taal opslaan
account-language-saved = Je taal is opgeslagen.
account-change-password = Wachtwoord wijzigen
account-current-password = Huidig wachtwoord
account-wrong-password = Dit is niet je huidige wachtwoord.
account-password-changed = Je wachtwoord is gewijzigd. Je andere sessies zijn uitgelogd en de apps waaraan je toegang gaf zijn die kwijt: geef opnieuw toestemming als ze erom vragen.
calendar-feed = Agendafeed
account-calendar-text = Abonneer je in je agenda-app op dit adres om de evenementen te zien waarvoor je bent aangemeld. Iedereen die het adres heeft kan die evenementen lezen: houd het voor jezelf. Een nieuwe link maakt de oude ongeldig;
account-calendar-revokes = trekt hem in.
account-your-calendar-feed = Je agendafeed
account-no-calendar = Je hebt nog geen agendafeedlink.
account-calendar-new-link = Maak een nieuwe link
account-calendar-make-link = Maak een agendafeedlink

## De apps van een lid

apps-lead = Apps die je toegang hebt gegeven tot je account. Trek je er een in, dan verliest die meteen de toegang; de app moet het je dan opnieuw vragen.
apps-calendar-text = Een privélink naar de evenementen waarvoor je bent aangemeld, voor je agenda-apps. Iedereen die hem heeft kan die evenementen lezen.
apps-made = Gemaakt
apps-revoke-calendar = De agendafeedlink intrekken
apps-none = Je hebt nog geen enkele app toegang gegeven.
apps-it-may = De app mag
apps-authorized = Toegang gegeven
apps-revoke-for = Toegang van { $app } intrekken
apps-revoke-access = Toegang intrekken
col-last-used = Laatst gebruikt

## Meldingen na een handeling

notice-member-created = { $name } is aangemaakt.
notice-member-disabled = { $name } is uitgeschakeld: de sessies en alle tokens van de apps van dit lid zijn beëindigd.
notice-member-enabled = { $name } is ingeschakeld.
notice-made-admin = { $name } is nu beheerder.
notice-unmade-admin = { $name } is geen beheerder meer.
notice-member-deleted = Het lid is verwijderd, met alle toegangen en tokens.
notice-app-enabled = { $name } is ingeschakeld.
notice-app-disabled = { $name } is uitgeschakeld: verzoeken en tokens van de app worden geweigerd.
notice-app-saved = { $name } is opgeslagen.
notice-app-deleted = De app is verwijderd, met { $n ->
    [one] { $n } toegang
   *[other] { $n } toegangen
} en { $m ->
    [one] { $m } token
   *[other] { $m } tokens
}.
notice-grant-revoked = Toegang { $id } is ingetrokken, met { $n ->
    [one] { $n } token
   *[other] { $n } tokens
}.
notice-token-revoked = De { $kind } is ingetrokken.
notice-access-revoked = { $name } heeft geen toegang meer tot je account.
notice-group-hidden = { $name } is verborgen: leden zien de groep en alles erin niet meer.
notice-group-shown = { $name } is weer zichtbaar.
notice-group-deleted = De groep is verwijderd, met { $n ->
    [one] { $n } bericht
   *[other] { $n } berichten
} en { $m ->
    [one] { $m } reactie
   *[other] { $m } reacties
}.
notice-post-hidden = Bericht { $id } is verborgen: leden zien het niet meer en de meldingen erover zijn gesloten.
notice-post-shown = Bericht { $id } is weer zichtbaar.
notice-post-deleted = Bericht { $id } is verwijderd, met { $n ->
    [one] { $n } reactie
   *[other] { $n } reacties
}.
notice-comment-hidden = Reactie { $id } is verborgen: leden zien haar niet meer en de meldingen erover zijn gesloten.
notice-comment-shown = Reactie { $id } is weer zichtbaar.
notice-comment-deleted = Reactie { $id } is verwijderd, met { $n ->
    [one] { $n } antwoord
   *[other] { $n } antwoorden
}.
notice-post-reports-dismissed = { $n ->
    [one] { $n } melding
   *[other] { $n } meldingen
} over bericht { $id } afgewezen; het bericht blijft zoals het was.
notice-comment-reports-dismissed = { $n ->
    [one] { $n } melding
   *[other] { $n } meldingen
} over reactie { $id } afgewezen; de reactie blijft zoals ze was.
notice-calendar-replaced = Je agendafeed heeft een nieuwe link; de oude werkt niet meer.
notice-calendar-revoked = Je agendafeedlink is ingetrokken; agenda's die hem gebruiken worden niet meer bijgewerkt.
notice-fcm-credentials-set = De FCM-gegevens van { $name } zijn opgeslagen.
notice-fcm-credentials-removed = De FCM-gegevens van { $name } zijn verwijderd: de FCM-apparaten van de app krijgen niets meer.
notice-apns-credentials-set = De APNs-sleutel van { $name } is opgeslagen.
notice-apns-credentials-removed = De APNs-gegevens van { $name } zijn verwijderd: de APNs-apparaten van de app krijgen niets meer.
notice-apns-certificate-set = Het APNs-certificaat van { $name } is opgeslagen.
token-kind-code = autorisatiecode
token-kind-access = OAuth 2.0-toegangstoken
token-kind-refresh = OAuth 2.0-vernieuwingstoken
token-kind-oauth1 = OAuth 1.0a-toegangstoken

## Beheer

admin-dashboard = Overzicht
admin-tokens = Tokens
admin-members = Leden
admin-groups = Groepen
admin-content = Inhoud
admin-audit = Logboek
admin-settings = Instellingen
title-grant = Toegang
title-application = App
title-delete-application = App verwijderen
title-edit-application = App bewerken
title-delete-group = Groep verwijderen
title-delete-member = Lid verwijderen
push-notifications = Pushmeldingen
deleted-member = (verwijderd lid)
cannot-be-undone = Dit kun je niet ongedaan maken.
hide-instead = Wil je het uit beeld halen maar bewaren, verberg het dan.
delete-question = { $name } verwijderen?
delete-name = { $name } verwijderen
delete-tokens-end = { $n ->
    [one] token.
   *[other] tokens.
}
search-next-ones = zoek in de volgende
hint-one-per-line = (één per regel)
button-edit = Bewerken
badge-hidden = verborgen
badge-deleted = verwijderd
badge-hidden-group = verborgen groep
aria-hide = { $name } verbergen
aria-show-again = { $name } weer tonen
aria-dismiss = De meldingen over { $name } afwijzen
aria-content-in = Berichten en reacties in { $name }
open-reports = { $n ->
    [one] { $n } open melding
   *[other] { $n } open meldingen
}
status-enabled = Ingeschakeld
status-disabled = Uitgeschakeld
status-active = Actief

## Tabelkoppen

col-name = Naam
col-status = Status
col-joined = Lid sinds
col-actions = Acties
col-application = App
col-protocol = Protocol
col-protocols = Protocollen
col-scopes = Scopes
col-created = Aangemaakt
col-live-tokens = Geldige tokens
col-state = Staat
col-id = Id
col-type = Soort
col-issued = Uitgegeven
col-expires = Verloopt
col-time = Tijd
col-actor = Door
col-action = Actie
col-target = Doel
col-detail = Details
col-identifier = Kenmerk
col-registered = Geregistreerd
col-author = Auteur
col-access = Zichtbaarheid
col-written = Geschreven
col-reports = Meldingen
col-title = Titel
col-text = Tekst

## Overzicht

dash-waiting = wachten op een moderator.
dash-counts = Aantallen
dash-members = { $n ->
    [one] lid
   *[other] leden
}
dash-applications = { $n ->
    [one] app
   *[other] apps
}
dash-grants = { $n ->
    [one] actieve toegang
   *[other] actieve toegangen
}
dash-tokens = { $n ->
    [one] token uitgegeven in 24 uur
   *[other] tokens uitgegeven in 24 uur
}
dash-failures = { $n ->
    [one] mislukte inlogpoging in 24 uur
   *[other] mislukte inlogpogingen in 24 uur
}
dash-groups = { $n ->
    [one] groep
   *[other] groepen
}
dash-reports = { $n ->
    [one] open melding
   *[other] open meldingen
}
dash-at-a-glance = In één oogopslag
dash-figures-by-day = De cijfers per dag
dash-day-utc = Dag (UTC)
dash-counted-since = Geteld sinds deze versie is geïnstalleerd (schema 4); eerdere gebeurtenissen staan niet in de grafieken.
dash-backup = Back-up
dash-last-backup = Laatste back-up
dash-scheduled = (gepland)
dash-no-backup = Nog geen back-up.
dash-make-backup = Maak er een met
dash-server-keeps-serving = (de server blijft bereikbaar)
dash-or-set = , of stel
dash-every-day = in de configuratie in voor een dagelijkse back-up
dash-push-devices = { $n ->
    [one] apparaat
   *[other] apparaten
}
dash-push-outbox = { $n ->
    [one] activiteit om te verspreiden
   *[other] activiteiten om te verspreiden
}
dash-push-pending = { $n ->
    [one] bezorging wacht.
   *[other] bezorgingen wachten.
}
dash-push-metrics = Bezorgingen per dienst en uitkomst staan in
dash-push-last-failure = Laatste fout ({ $service }):
dash-recent = Recente gebeurtenissen
dash-nothing-yet = Nog niets.
dash-whole-audit = Het hele logboek
chart-tokens-title = Uitgegeven tokens per uur, afgelopen 7 dagen
chart-signins-title = Mislukte inlogpogingen en blokkades per uur, afgelopen 7 dagen
chart-grants-title = Actieve toegangen, afgelopen 30 dagen
chart-deliveries-title = Pushbezorgingen per uur naar uitkomst, afgelopen 7 dagen
chart-oauth2 = OAuth 2.0
chart-oauth1 = OAuth 1.0a
chart-failures = mislukt
chart-lockouts = blokkades
chart-active-grants = actieve toegangen
chart-delivered = bezorgd
chart-to-retry = opnieuw te proberen
chart-device-gone = apparaat weg
chart-refused = geweigerd
chart-gave-up = opgegeven
chart-empty = Nog niets geteld
chart-summary-empty = { $title }: nog niets geteld.
chart-summary-bars = { $title }: { $parts } in totaal; het drukste uur, vanaf { $at }, had er { $max }.
chart-summary-line = { $title }: nu { $last }; het hoogste was { $max }, op { $day }.
chart-axis-day = { $day } { $month }
month-short-1 = jan
month-short-2 = feb
month-short-3 = mrt
month-short-4 = apr
month-short-5 = mei
month-short-6 = jun
month-short-7 = jul
month-short-8 = aug
month-short-9 = sep
month-short-10 = okt
month-short-11 = nov
month-short-12 = dec

## Instellingen

settings-title = Site-instellingen
settings-saved = De instellingen zijn opgeslagen.
settings-unchanged = Er is niets veranderd.
settings-reset = De waarde uit het bestand geldt weer.
settings-not-saved = De instellingen zijn niet opgeslagen: zie de gemarkeerde velden hieronder.
settings-lead = De naam, het logo en de accentkleur van de site staan op elke pagina, op de inlogpagina en in de toestemmingsvraag. Een waarde die je hier opslaat gaat boven die uit het configuratiebestand, tot je hem terugzet.
settings-identity = Identiteit
settings-name = Naam
settings-logo = Logo
settings-logo-hint = (een PNG-, JPEG- of WebP-bestand in de datamap, hoogstens 512 KiB; leeg voor geen logo)
settings-accent = Accentkleur
settings-accent-hint = (#rrggbb; leeg voor de standaardkleur)
settings-from-default = Geldt vanuit de standaardwaarde.
settings-from-file = Geldt vanuit het configuratiebestand.
settings-from-page = Geldt vanuit deze pagina.
settings-logo-alt = Het huidige logo
settings-back-to-file = Terug naar de waarden uit het bestand
settings-reset-name = Zet de naam terug naar de waarde uit het bestand
settings-reset-logo = Zet het logo terug naar de waarde uit het bestand
settings-reset-accent = Zet de accentkleur terug naar de waarde uit het bestand

## Leden

users-new = Nieuw lid
users-create = Lid aanmaken
users-new-invite = Nieuwe uitnodigingslink
users-search-placeholder = naam of e-mailadres
users-make-admin = Beheerder maken
users-unmake-admin = Geen beheerder meer
users-reset-password = Wachtwoord herstellen
users-reset-link-for = Herstellink voor het wachtwoord van { $name }
users-one-time-link = Eenmalige link
users-reset-shown-once = Wordt één keer getoond. Iedereen met deze link kan het wachtwoord van { $name } instellen.
users-invite-link = Uitnodigingslink
users-one-time-invite = Eenmalige uitnodigingslink
users-invite-shown-once = Wordt één keer getoond. Wie deze link heeft, kan binnen 7 dagen één keer een account aanmaken.
users-reset-notice = Geef deze eenmalige link aan { $name }; hij werkt één keer, 24 uur lang. Gebruiken beëindigt de sessies van dit lid en de toegang van de apps.
users-invite-notice = Geef deze uitnodigingslink aan wie je uitnodigt; hij werkt één keer, 7 dagen lang, wat de aanmeldinstelling ook is.
users-delete-removes = Dit verwijdert het lid, beëindigt de sessies en trekt
users-delete-grants-with = { $n ->
    [one] app-toegang in, met
   *[other] app-toegangen in, met
}
err-last-admin = Dan heeft de site geen ingeschakelde beheerder meer. Maak eerst iemand anders beheerder.
err-no-member = Dit lid bestaat niet
err-no-member-text = Er is geen lid met de naam { $name }.
err-unknown-action = Onbekende actie
err-unknown-action-text = { $action } is geen actie.
err-not-possible = Niet mogelijk

## Tokens en toegangen

tokens-lead = Elke toegang: de toestemming van één lid aan één app (of de eigen toegang van een app). Trek je een toegang in, dan vervallen al haar tokens meteen.
tokens-with-live = Met geldige tokens
tokens-without-live = Zonder geldige tokens
tokens-none = Nog geen toegangen. Een toegang verschijnt hier als een lid een app toestemming geeft, of een app een eigen token krijgt; registreer apps onder
tokens-none-match = Geen toegangen die bij deze filters passen.
grant-heading = Toegang { $id }: { $app }
grant-revoke-whole = De hele toegang intrekken
grant-tokens-hint = Tokens worden alleen als hash opgeslagen; de eerste tekens van de hash herkennen elk token. JWT-toegangstokens worden niet opgeslagen en staan dus niet in de lijst; de toegang intrekken beëindigt ze ook.
grant-no-tokens = Geen opgeslagen tokens.
grant-app-itself = (de app zelf)
token-expired = verlopen
token-used = gebruikt
token-live = geldig
err-no-grant = Deze toegang bestaat niet
err-no-grant-text = Ze is ingetrokken, of de app of het lid is verwijderd.
err-no-token = Dit token bestaat niet
err-no-token-text = Het is al verlopen of ingetrokken.

## Logboek

audit-prefix = (begin)
audit-from = Van
audit-to = Tot
audit-export = Exporteer wat past:
audit-json-lines = JSON-regels
audit-none = Geen gebeurtenissen die passen.
audit-time-utc = Tijd (UTC)
audit-older = (oudere gebeurtenissen)
err-bad-filter = Het filter is niet geldig
err-export-format = Onbekend exportformaat
err-export-format-text = { $format }: kies csv of jsonl

## Apps (beheer)

clients-new = Nieuwe app
clients-search-placeholder = naam, client_id of consumer key
clients-none = Nog geen apps —
clients-register-one = registreer er een
clients-none-match = Geen apps die bij deze filters passen.
clients-edit-name = { $name } bewerken
clients-not-registered = De app is niet geregistreerd: zie het gemarkeerde veld hieronder.
clients-basics = Basis
clients-name-hint = (leden zien hem op de toestemmingspagina)
clients-logo-url = Logo-URL
clients-scopes = Scopes die de app mag vragen
clients-scopes-hint = (gescheiden door spaties; read en write zijn afkortingen)
clients-first-party-check = Eigen app: de eigen app van deze site, zonder toestemmingspagina
clients-client-type = Soort client
clients-confidential-hint = Vertrouwelijk: een server die een geheim bewaart
clients-public-hint = Openbaar: een app op telefoon, computer of in de browser (geen geheim; PKCE verplicht)
clients-access-tokens = Toegangstokens
clients-opaque = ondoorzichtig (meteen in te trekken)
clients-signing-alg = Ondertekeningsalgoritme
clients-access-ttl = Levensduur toegangstoken
clients-access-ttl-hint = (seconden; leeg: standaard van de server)
clients-refresh-ttl = Levensduur vernieuwingstoken
clients-seconds-hint = (seconden)
clients-require-pkce = PKCE verplichten (altijd aan voor openbare clients)
clients-pkce-plain = De zwakkere PKCE-methode "plain" toestaan
clients-introspect-any = Mag tokens van andere apps inspecteren
clients-cors = Toegestane CORS-origins
clients-cors-hint = (één per regel, bijv. https://app.example.org)
clients-oauth1-consumer = OAuth 1.0a-consumer
clients-callback-url = Callback-URL
clients-callback-hint = (of oob: het lid kopieert een code naar de app)
clients-rsa-key = Publieke RSA-sleutel
clients-rsa-key-hint = (PEM, voor RSA-SHA1)
clients-token-ttl-hint = (seconden; leeg: tot intrekking)
clients-two-legged-check = Two-legged: mag verzoeken als zichzelf ondertekenen, zonder lid
clients-legacy = Oude OAuth 1.0 (geen verifier; alleen voor oude clients)
clients-cannot-change = Protocollen en de soort client kun je hier niet wijzigen: die bepalen de inloggegevens.
clients-register = App registreren
clients-seconds-error = Vul een aantal seconden in, of laat het leeg.
clients-protocols-error = Kies OAuth 2.0, OAuth 1.0a of allebei.
clients-delete-removes = Dit verwijdert de app en trekt
clients-delete-grants-with = { $n ->
    [one] toegang in, met
   *[other] toegangen in, met
}
clients-delete-loses = Elk lid dat de app toestemming gaf, verliest de koppeling.
client-confidential = Vertrouwelijk
client-public = Openbaar
client-description = Beschrijving
client-homepage = Website
client-first-party = Eigen app
client-first-party-yes = ja (geen toestemmingspagina)
client-redirect-uris = Redirect-URI's
client-grants = Grants
client-token-format = { $format }, ondertekend met { $alg }
client-pkce-required = PKCE verplicht
client-cors-origins = CORS-origins
client-consumer-key = Consumer key
client-consumer-secret = consumer secret
client-callback = Callback
client-revision = Revisie
client-signature-methods = Ondertekeningsmethoden
client-two-legged = Two-legged
client-fcm-configured = ingesteld (wordt niet opnieuw getoond)
client-fcm-not-configured = niet ingesteld
client-fcm-replace = Vervang de JSON van het FCM-serviceaccount (uit de Firebase-console, Projectinstellingen, Serviceaccounts)
client-fcm-json = De JSON van het FCM-serviceaccount (uit de Firebase-console, Projectinstellingen, Serviceaccounts)
client-fcm-save = FCM-gegevens opslaan
client-fcm-remove = FCM-gegevens verwijderen
client-apns-configured = sleutel { $key }, team { $team }, topic { $topic }; de sleutel wordt niet opnieuw getoond; ingesteld
client-apns-replace = Vervang de APNs-gegevens door een sleutel: de tekst van het .p8-bestand (Apple Developer, Certificates, Identifiers & Profiles, Keys, met Apple Push Notifications service aan)
client-apns-key = De APNs-sleutel: de tekst van het .p8-bestand (Apple Developer, Certificates, Identifiers & Profiles, Keys, met Apple Push Notifications service aan)
client-apns-key-id = Key ID (10 tekens, naast de sleutel getoond)
client-apns-team-id = Team ID (10 tekens, onder Membership in het ontwikkelaarsaccount)
client-apns-topic = Topic: de bundle-ID van de app, zoals org.example.app
client-apns-save = APNs-sleutel opslaan
client-apns-remove = APNs-gegevens verwijderen
client-apns-environments = Apparaten die met environment sandbox zijn geregistreerd, krijgen berichten via Apple's sandbox, de andere via productie; één sleutel dient voor beide, een certificaat voor de omgevingen waarvoor Apple het maakte (een certificaat "Sandbox & Production" voor beide).
client-apns-cert-configured = certificaat { $subject }, topic { $topic }, geldig tot { $expires }; de sleutel wordt niet opnieuw getoond; ingesteld
client-apns-cert-expired = Verlopen: Apple weigert het; voer een nieuw certificaat of een tokensleutel in.
client-apns-either = APNs werkt met een tokensleutel (.p8) of met een certificaat en zijn sleutel; wie het ene opslaat, vervangt het andere.
client-apns-token-heading = Tokensleutel (.p8)
client-apns-cert-heading = Certificaat
client-apns-cert = Het certificaat als PEM-tekst: het certificaat "Apple Push Notification service SSL" (Apple Developer, Certificates, Identifiers & Profiles, Certificates), met zijn keten als u die hebt. Uit een .p12-bestand: openssl pkcs12 -in cert.p12 -nodes
client-apns-cert-key = De privésleutel van het certificaat als PEM-tekst (PKCS#8, RSA of EC), zonder wachtwoord; laat leeg als hij in de tekst hierboven staat
client-apns-cert-save = APNs-certificaat opslaan
client-rotate = Geheim vernieuwen
credentials-title = Inloggegevens
credentials-heading = { $app }: inloggegevens
credentials-copy-now = Kopieer deze nu.
credentials-shown-once = De geheimen worden deze ene keer getoond en daarna nooit meer; ben je ze kwijt, vernieuw ze dan.
credentials-registered = De app is geregistreerd.
credentials-rotated = Het geheim van de app is vernieuwd.
credentials-endpoints = Endpoints: zie
credentials-discovery = discovery
credentials-and = en
credentials-done = Klaar
err-no-application = Deze app bestaat niet
err-no-application-text = Er is geen app { $key }.
err-no-setting = Er is geen instelling { $key }.

## Inhoud en groepen

content-reported = Gemelde inhoud
content-lead = Berichten en reacties, ook verborgen, met de meldingen erover. Verbergen haalt iets uit het zicht van leden (de API antwoordt „niet gevonden”) en sluit de meldingen; je kunt het altijd weer tonen. Verwijderen kun je niet ongedaan maken.
content-shown-here = (hier getoond, de laatst gemelde eerst)
content-search-placeholder = woorden in een titel of tekst
content-kind = Soort
content-posts = Berichten
content-comments = Reacties
content-hidden = Verborgen
content-reported-state = Gemeld
content-where = Waar
content-anywhere = Overal
content-own-streams = Eigen tijdlijnen
content-own-stream = eigen tijdlijn
content-hidden-paren = (verborgen)
content-none-of-budget = Geen van de { $n } bekeken items past;
content-no-reports = Geen open meldingen. Meldt een lid een bericht of reactie, dan wacht die hier tot je haar verbergt, verwijdert of de meldingen afwijst.
content-nothing-hidden = Er is niets verborgen. Verberg een bericht of reactie vanuit
content-list-of-everything = de lijst met alles
content-nothing-hidden-end = ; het wacht dan hier, uit het zicht van leden, tot je het weer toont of verwijdert.
content-nothing-posted = Nog niets geplaatst. Berichten en reacties verschijnen hier als leden ze via de API schrijven; wat ze melden wacht onder
content-open-reports-link = open meldingen
content-nothing-matches = Niets past bij deze filters.
content-show-everything = Toon alles
content-posts-and-comments = Berichten en reacties
content-deleted-by-author = Door de auteur verwijderd nadat het gemeld was.
content-reply-on-post = Een antwoord bij bericht { $id }:
content-on-post = Bij bericht { $id }:
content-no-reports-cell = geen
content-dealt-with = (afgehandeld)
content-dismiss-reports = Meldingen afwijzen
content-post-n = Bericht { $id }
content-comment-n = Reactie { $id }
content-delete-post = Dit verwijdert het bericht met
content-delete-post-end = { $n ->
    [one] reactie en de likes, en sluit de meldingen.
   *[other] reacties en de likes, en sluit de meldingen.
}
content-delete-comment = Dit verwijdert de reactie met
content-delete-comment-end = { $n ->
    [one] antwoord, en sluit de meldingen.
   *[other] antwoorden, en sluit de meldingen.
}
content-delete-reply = Dit verwijdert het antwoord en sluit de meldingen.
err-not-a-choice = { $what } is hier geen keuze.
err-no-such = Niet gevonden: { $what ->
    [comment] reactie
    [event] evenement
    [file] bestand
    [folder] map
    [group] groep
    [member] lid
    [post] bericht
    [push_subscription] pushabonnement
    [report] melding
   *[other] { $what }
}
err-no-such-text = Dit bestaat niet ({ $what ->
    [comment] reactie
    [event] evenement
    [file] bestand
    [folder] map
    [group] groep
    [member] lid
    [post] bericht
    [push_subscription] pushabonnement
    [report] melding
   *[other] { $what }
}): het is misschien al verwijderd.
groups-lead = Elke groep, ook verborgen groepen. Een groep verbergen haalt haar en alles erin uit het zicht van leden en bewaart haar hier; verwijderen haalt haar weg met haar berichten, reacties en lidmaatschappen.
groups-search-placeholder = naam of beschrijving
groups-show = Toon
groups-every = Elke groep
groups-every-lower = elke groep
groups-hidden = Verborgen groepen
groups-none-of-budget = Geen van de { $n } bekeken groepen past;
groups-none = Nog geen groepen. Groepen verschijnen hier als leden ze via de API aanmaken
groups-none-or = of als
groups-none-loads = er een paar laadt.
groups-none-hidden = Er is geen groep verborgen. Kies om er een te verbergen
groups-none-hidden-end = en gebruik de knop Verbergen.
groups-none-match = Geen groepen die bij deze filters passen.
groups-show-every = Toon elke groep
groups-joining = Lid worden
groups-listed-to = Zichtbaar voor
groups-created-by = Aangemaakt door
groups-delete-removes = Dit verwijdert de groep met
groups-delete-posts = { $n ->
    [one] bericht,
   *[other] berichten,
}
groups-delete-comments = { $n ->
    [one] reactie, de activiteit en de lidmaatschappen van
   *[other] reacties, de activiteit en de lidmaatschappen van
}
groups-delete-members = { $n ->
    [one] lid.
   *[other] leden.
}
access-public = iedereen
access-members = leden
access-group = de groep
access-private = alleen de auteur
access-friends = vrienden
joining-open = open
joining-closed = op verzoek
settings-err-name-empty = vul een naam in (die staat in de kop en de titel van elke pagina)
settings-err-name-long = gebruik hoogstens { $max } tekens
settings-err-name-line = gebruik één regel zonder stuurtekens
settings-err-accent = dit is geen kleur; schrijf haar als # en zes hexadecimale cijfers, zoals #2456c7
settings-err-logo-name = vul de naam van het bestand in de datamap in, zoals logo.png
settings-err-logo-inside = noem een bestand binnen de datamap (een relatief pad zonder ..)

## Koppelingen (accounts bij andere sites, inloggen via een provider)

title-connections = Gekoppelde accounts
title-link-account = Koppel je account
admin-providers = Providers
conn-err-did-not-work = Dat lukte niet
conn-err-remote = De andere site werkte niet mee
conn-err-remote-text = De andere site antwoordde: { $reason }
conn-err-not-available = Niet beschikbaar
conn-err-callback = De andere site stuurde je terug met een adres dat deze site niet kan lezen. Begin opnieuw.
conn-err-other-session = Deze poging is in een andere sessie begonnen (of je bent intussen uitgelogd); er is niets gekoppeld. Begin opnieuw.
conn-err-no-sign-in = Met { $provider } kunnen leden op deze site niet inloggen.
conn-err-account-disabled = Dit account is op deze site uitgeschakeld.
conn-err-linked-already = Dit account bij de andere site is al aan een lid gekoppeld.
conn-err-field = { $field }: { $message }
conn-err-not-connected = Het account is niet gekoppeld
conn-err-flow-unknown = Deze poging is onbekend of verlopen; er is niets gekoppeld. Begin opnieuw.
conn-provider-n = provider { $id }
conn-notice-connected = Je account is gekoppeld.
conn-notice-disconnected = De koppeling is verwijderd en de toegang is bij de andere site ingetrokken.
conn-notice-disconnected-local = De koppeling is hier verwijderd, maar de andere site kon niet gevraagd worden de toegang in te trekken; dat kun je daar zelf doen.
conn-notice-linked = Je kunt nu met dat account inloggen.
conn-notice-unlinked = Met dat account log je niet meer in.
conn-lead = Je accounts bij andere sites die deze site voor je mag gebruiken, en de accounts waarmee je inlogt.
conn-yours = Accounts die je hebt gekoppeld
conn-none = Je hebt nog geen account gekoppeld.
conn-connected = Gekoppeld
conn-renewed = Vernieuwd
conn-needs-reconnect = Deze koppeling moet opnieuw gemaakt worden: { $why }
conn-disconnect = Ontkoppelen
conn-disconnect-label = { $provider } ontkoppelen: { $user }
conn-connect-new = Een account koppelen
conn-connect-button = { $provider } koppelen
conn-sign-in-with = Accounts waarmee je inlogt
conn-password-only = Je logt alleen met je wachtwoord in.
conn-linked = Gekoppeld
conn-unlink = Loskoppelen
conn-unlink-label = Niet meer inloggen met { $provider }
conn-link-new = Ook met een ander account inloggen
conn-link-button = { $provider } koppelen
link-heading = Koppel je account bij { $provider }
link-signed-in-at = Je bent bij { $provider } ingelogd als
link-not-yet = , maar met dat account logt hier nog niemand in.
link-how = Log één keer in met je gebruikersnaam en wachtwoord van deze site om het te koppelen; daarna log je in via { $provider }.
link-submit = Inloggen en koppelen
link-new-here = Nieuw hier?
link-register-text = Maak een account op deze site waarop je inlogt via { $provider }.
link-register-submit = Mijn account aanmaken
apps-connections-hint = Je accounts bij andere sites die deze site voor je mag gebruiken
apps-connections-manage = beheren
prov-err-no-such = Deze provider bestaat niet
prov-err-no-such-text = Deze provider bestaat niet: misschien is hij verwijderd.
prov-err-not-possible = Niet mogelijk
prov-notice-deleted = De provider is verwijderd, met de koppelingen en inlogkoppelingen van de leden.
prov-notice-created = De provider is toegevoegd. Registreer de callback-URL hieronder bij de provider.
prov-notice-disabled = De provider is uitgeschakeld.
prov-notice-enabled = De provider is ingeschakeld.
prov-lead = Andere sites waar leden hun accounts mee kunnen koppelen of mee kunnen inloggen.
prov-none = Nog geen providers.
prov-callback-url = Callback-URL
prov-issuer = Uitgever
prov-discovery = Discovery
prov-authorize-url = Autorisatie-URL
prov-token-url = Token-URL
prov-userinfo-url = Userinfo-URL
prov-revocation-url = Intrekkings-URL
prov-key-set = Sleutelset
prov-request-url = Request-token-URL
prov-access-url = Access-token-URL
prov-signature = Handtekening
prov-client-id = Client-id
prov-client-secret = Clientgeheim
prov-secret-sealed = verzegeld; niet getoond
prov-api-base = API-basis
prov-members-connect = Leden koppelen
prov-sign-in-button = Inlogknop
prov-connections = Koppelingen
prov-added = Toegevoegd
prov-rsa-key = Publieke RSA-sleutel
prov-rsa-key-hint = Registreer hem bij de dienst.
prov-delete-label = { $name } verwijderen met { $n ->
    [one] { $n } koppeling
   *[other] { $n } koppelingen
}
prov-add = Een provider toevoegen
prov-add-hint = Registreer deze site eerst als client bij de provider, met de callback-URL
prov-protocol-oidc = OpenID Connect (discovery)
prov-protocol-oauth2 = OAuth 2.0 (endpoints met de hand)
prov-field-discovery = Discovery-URL of uitgever (OpenID Connect)
prov-field-authorize = Autorisatie-URL (OAuth 2.0, OAuth 1.0a)
prov-field-token = Token-URL (OAuth 2.0)
prov-field-userinfo = Userinfo-URL (optioneel)
prov-field-revocation = Intrekkings-URL (optioneel, RFC 7009)
prov-field-request = Request-token-URL (OAuth 1.0a)
prov-field-access = Access-token-URL (OAuth 1.0a)
prov-field-signature = Handtekeningmethode (OAuth 1.0a)
prov-field-client-id = Client-id (OAuth 1.0a: consumer key)
prov-field-client-secret = Clientgeheim (OAuth 1.0a: consumer secret); wordt verzegeld bewaard en nooit meer getoond
prov-field-scopes = Scopes (gescheiden door spaties)
prov-field-api-base = API-basis-URL (aanroepen namens leden blijven daaronder)
prov-field-member-connect = Leden mogen hun accounts koppelen
prov-field-sign-in = Knop "Inloggen met" op de inlogpagina (OpenID Connect)
prov-add-submit = Provider toevoegen
prov-err-field = { $label } ({ $field }): { $message }
prov-invalid-required = is verplicht
prov-invalid-name-length = moet 1 tot 60 tekens lang zijn
prov-invalid-too-long = is te lang
prov-invalid-sign-in-oidc = alleen een OpenID Connect-provider kan leden laten inloggen

## An application's registration refused (registry::error::Problem), on /admin/clients
app-invalid-name-length = Gebruik 1 tot 100 tekens.
app-invalid-url = Vul een http://- of https://-adres in.
app-invalid-origin = { $origin } is geen origin.
app-invalid-origin-bare = { $origin } mag alleen schema://host[:poort] zijn, zonder pad.
app-invalid-grant = { $grant } is geen grant type; toegestaan zijn: { $allowed }.
app-invalid-public-client-credentials = Een openbare client heeft geen geheim en kan dus geen client_credentials gebruiken.
app-invalid-redirect-needed = Voor authorization_code en implicit is minstens één redirect-URI nodig.
app-invalid-scope-characters = Een scope bevat een teken dat niet is toegestaan.
app-invalid-scope-unknown = Onbekende scope: { $scope }.
app-invalid-token-format = { $value }: kies opaque of jwt.
app-invalid-signing-alg = { $value }: kies EdDSA, ES256 of RS256.
app-invalid-lifetime = Kies tussen 1 seconde en 365 dagen.
app-invalid-no-secret = Een openbare client heeft geen geheim om te vernieuwen.
app-invalid-protocols-fixed = De protocollen kun je niet wijzigen; registreer een nieuwe app voor een ander protocol.
app-invalid-client-type-fixed = De soort client kun je niet wijzigen; registreer een nieuwe app.
app-invalid-rsa-private = Dit is een privésleutel; registreer alleen de publieke sleutel ("BEGIN PUBLIC KEY" of "BEGIN RSA PUBLIC KEY").
app-invalid-rsa-not-pem = Verwacht werd een publieke RSA-sleutel in PEM die begint met "-----BEGIN PUBLIC KEY-----" of "-----BEGIN RSA PUBLIC KEY-----".
app-invalid-rsa-unreadable = Het PEM-blok is niet te lezen als publieke RSA-sleutel: { $detail }
app-invalid-rsa-short = De RSA-sleutel is { $bits } bits; er zijn minstens { $min } bits nodig.
app-invalid-signature-method = { $method } is geen ondertekeningsmethode; gebruik HMAC-SHA1, HMAC-SHA256, RSA-SHA1 of PLAINTEXT (let op hoofdletters).
app-invalid-rsa-needed = Voor RSA-SHA1 is de publieke RSA-sleutel van de consumer nodig (PEM).
app-invalid-rsa-unused = Een publieke RSA-sleutel wordt alleen met RSA-SHA1 gebruikt; sta RSA-SHA1 ook toe.
app-invalid-no-scope = Een consumer heeft minstens één scope nodig.
app-invalid-consumer-lifetime = Kies tussen 1 seconde en 10 jaar, of laat het leeg (tot intrekking).
app-invalid-apns-cert-none = Geen certificaat gevonden: plak het certificaat als PEM-tekst (-----BEGIN CERTIFICATE-----).
app-invalid-apns-cert-unreadable = Het certificaat is niet te lezen: { $detail }.
app-invalid-apns-cert-no-key = Geen privésleutel gevonden: plak de privésleutel van het certificaat als PEM-tekst.
app-invalid-apns-cert-encrypted = De privésleutel is met een wachtwoord beveiligd; exporteer hem zonder (openssl pkcs12 -nodes).
app-invalid-apns-cert-key-unsupported = Deze privésleutel is niet bruikbaar voor TLS (gebruik RSA van minstens 2048 bits, EC P-256 of P-384, of Ed25519).
app-invalid-apns-cert-key-mismatch = De privésleutel hoort niet bij het certificaat.
app-invalid-apns-cert-not-client = Dit certificaat is niet voor clientauthenticatie, dus het is geen APNs-certificaat.
app-invalid-apns-cert-not-yet-valid = Het certificaat is pas geldig vanaf { $when }.
app-invalid-apns-cert-expired = Het certificaat is verlopen op { $when }; Apple weigert het.
app-invalid-apns-cert-topic = Topic: vul de bundle-ID van de app in, zoals org.example.app.
app-invalid-uri-empty = Een redirect-URI mag niet leeg zijn.
app-invalid-uri-characters = { $uri }: schrijf het adres in ASCII zonder spaties of stuurtekens; codeer al het andere met procenttekens.
app-invalid-uri-not-absolute = { $uri } is geen absolute URI (er hoort een schema bij, zoals https://).
app-invalid-uri-fragment = { $uri } mag geen fragment bevatten (het deel na #).
app-invalid-uri-user-info = { $uri } mag geen gebruikersnaam of wachtwoord bevatten.
app-invalid-uri-scheme = { $uri }: het schema { $scheme }: kun je niet voor een redirect gebruiken.
app-invalid-uri-http = http mag alleen voor een loopback-adres (127.0.0.1, [::1] of localhost); gebruik https voor { $uri }.
app-invalid-uri-custom-scheme = { $uri }: het eigen schema { $scheme }: moet een omgekeerde domeinnaam zijn die van jou is, zoals com.example.app:/callback.

## The audit log's filter refused, on /admin/audit
audit-bad-date = „{ $value }” is geen datum: schrijf hem als JJJJ-MM-DD, zoals 2026-12-01.
