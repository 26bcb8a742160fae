# English: the pages' words. Every key here must be in every other
# language's file too, with the same variables (`cargo test --lib i18n`).

## Dates and months

date-time = { $day } { $month } { $year }, { $time } UTC
date-day = { $day } { $month } { $year }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
never = never

## Every page

skip-to-content = Skip to content
nav-main = Main
nav-applications = Applications
nav-admin = Admin
nav-sign-out = Sign out
footer-runs-on = runs on latchkey
button-copy = Copy
button-revoke = Revoke
button-cancel = Cancel
button-delete = Delete
button-save = Save
button-filter = Filter
button-search = Search
button-enable = Enable
button-disable = Disable
button-hide = Hide
button-show-again = Show again
next-page = Next page
field-username = Username
field-password = Password
field-password-again = Password again
field-new-password = New password
field-new-password-again = New password again
field-display-name = Display name
field-email = E-mail
hint-optional = (optional)
hint-password-length = (at least 10 characters)
hint-username = (2 to 32 letters, digits, '.', '-' or '_')
role-admin = Admin
role-member = Member
link-works-once = This link works once.
any = Any
yes = yes
no = no

## Page titles

title-sign-in = Sign in
title-register = Create an account
title-new-password = Choose a new password
title-setup = Create the first admin
title-already-set-up = Already set up
title-consent = Allow access?
title-access-denied = Access not allowed
title-access-allowed = Access allowed

## Error pages

error-status = Error { $status }
error-go-home = Go to the start page
err-sign-in-first = Sign in first
err-sign-in-first-text = This page is for signed-in members.
err-form-expired = This form has expired
err-form-expired-text = The form was not sent from this site's current page, or it is too old. Go back, reload the page and try again.
err-not-allowed = Not allowed
err-admins-only = This page is for the site's admins.
err-form-unreadable = The form could not be read
err-form-unreadable-text = The form could not be read. Go back and try again.
err-form-too-large = The form may be at most { $limit } bytes. Go back and try again.
err-bad-address = The address is not valid
err-not-found = Page not found
err-not-found-text = There is nothing at this address.
err-internal = Something went wrong
err-internal-text = The server could not complete this request. Nothing was changed; please try again in a moment.
err-https-required = This page is served over HTTPS only: credentials must never travel in clear text. Use the https:// address.
err-nothing-to-revoke = Nothing to revoke
err-nothing-to-revoke-text = You have not authorized this application, or its access was already revoked.
err-setup-link = This setup link is not valid
err-setup-link-text = It was used already, has expired (links last one hour), or a newer one replaced it. Run `latchkey setup` on the server for a fresh link.
err-invite-link = This invite link is not valid
err-invite-link-text = It was used already or has expired (invites last seven days). Ask an admin for a new one.
err-registration-closed = Registration is closed
err-registration-invite = Joining this site takes an invite link. Ask an admin of the site for one.
err-registration-closed-text = This site does not take sign-ups. An admin can add you, or send you an invite link.
err-reset-link = This link is not valid
err-reset-link-text = It was used already or has expired. Ask an admin for a new one.
err-signin-link = This sign-in link is not valid
err-signin-link-text = It was used already, has expired (sign-in links last five minutes), or its account cannot sign in. Ask the application for a new one, or sign in with your password.
err-bad-language = This language is not available
err-bad-language-text = Choose one of the languages in the list.
err-app-not-identified = The application is not identified
err-app-not-identified-text = The link that brought you here has no client_id. Go back to the application and try again.
err-unknown-app = Unknown application
err-unknown-app-text = No application with this client_id is registered here.
err-bad-request = This application's request is not valid
err-redirect-not-registered = This application's redirect address is not registered: the address it asked to return to is not one it registered, so you were not sent there.
err-no-redirect = It did not say where to return to.
err-session-ended = Your session ended; go back to the application and start again.
err-oauth1-cannot-go-on = This application's request cannot go on
err-oauth1-missing = The link has no oauth_token. Go back to the application and start again.
err-oauth1-unknown = This request is unknown, or it was already used. Go back to the application and start again.
err-oauth1-expired = This request has expired. Go back to the application and start again.
err-oauth1-decided = You already answered this request. Go back to the application.
err-oauth1-disabled = This application is disabled.
err-oauth1-callback = The callback address does not match what the application registered: { $why }

## Forms

form-passwords-differ = The two passwords differ.
form-username-taken = This username is taken; choose another.
form-too-many-attempts = Too many attempts. Try again in { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}.
invalid-username-length = Must be 2 to 32 characters long.
invalid-username-chars = May hold letters, digits, '.', '-' and '_', and must start with a letter or digit.
invalid-email = Is not an e-mail address.
invalid-display-name = Must be at most 100 printable characters.
invalid-password-short = The password must be at least 10 characters long.
invalid-password-long = The password must be at most 1024 characters long.
invalid-password-username = The password must not be the username.

## Sign-in

login-heading = Sign in to
login-submit = Sign in
login-new-here = New here?
login-create-account = Create an account
login-sign-in-with = Sign in with { $name }
login-other-site = The page that sent you here asked to return to another site; you will go to your account instead.
login-password-set = Your new password is set. Every session and every application's access to your account were ended. Sign in with it.
login-signed-out = You are signed out.
login-wrong = Wrong username or password.
login-too-many = Too many sign-in attempts. Try again in { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}.
link-sent-you = An application you use sent you here to sign in as
link-five-minutes = The link works once, for five minutes. If you did not ask for it, close this page.
link-continue-as = Continue as { $username }

## Sign-up, password reset, setup

register-heading = Create an account at { $site }
register-invited = You were invited. This link works once.
register-submit = Create account and sign in
register-already-member = Already a member?
reset-for = For
reset-submit = Set password
setup-text = This account will manage the site: members, applications and tokens.
setup-submit = Create admin and sign in
setup-done-heading = This site is set up
setup-done-text = An admin account exists already, so the setup page does nothing any more.

## Consent

consent-allow = Allow
consent-to-use-at = to use your account at
consent-question-end = ?
consent-from = From
consent-it-will = It will be able to
consent-signed-in-as = Signed in as { $username }.
consent-switch = Not you? Switch user
consent-trust = Only allow applications you trust; you can take this back later.
consent-approve = Allow
consent-deny = Deny
verifier-denied = You did not allow
verifier-denied-text = Nothing was shared. You can close this page and go back to the application.
verifier-allowed = You allowed
verifier-copy = To finish, copy this code into { $app }:
verifier-once = The code works once, for this request only.
verifier-go-back = Go back to { $app } to finish.
verifier-take-back = You can take this access back at any time from your account.

## What scopes let an application do

scope-openid = Sign you in with your account
scope-profile = See your name and profile
scope-email = See your email address
scope-offline_access = Keep access to your account while you are not using the app
scope-users-read = See other members' names and profiles
scope-groups-read = See groups and who is in them
scope-posts-read = Read posts, comments and tags that you can see
scope-events-read = See events and who is going
scope-files-read = See and download files that you can see
scope-activity-read = See new activity in your groups and mark it as read
scope-profile-write = Change your profile, picture and password
scope-groups-write = Create and manage groups, and join or leave them for you
scope-posts-write = Write, edit and delete posts and comments, and like posts, as you
scope-events-write = Create and edit events, and sign you up for them
scope-files-write = Upload, change and delete files and folders
scope-push = Send notifications to your phone or browser
scope-applications = See and revoke the apps that have access to your account
scope-connections = See the accounts at other sites you connected, and use them for you
scope-read = Read everything that you can see
scope-write = Change everything that you can change

## Account

account-heading = Your account
account-applications-link = Applications with access to your account
account-details = Details
account-no-email = none
account-role = Role
account-member-since = Member since
account-signed-in = Signed in
account-language = Language
account-language-label = Show the pages in
account-language-browser = My browser's language
account-language-save = Save language
account-language-saved = Your language is saved.
account-change-password = Change password
account-current-password = Current password
account-wrong-password = This is not your current password.
account-password-changed = Your password was changed. Your other sessions were signed out, and the applications you authorized lost their access: approve them again when they ask.
calendar-feed = Calendar feed
account-calendar-text = Subscribe to this address in your calendar app to see the events you are enrolled in. Anyone who has it can read those events: keep it to yourself. A new link stops the old one;
account-calendar-revokes = revokes it.
account-your-calendar-feed = Your calendar feed
account-no-calendar = You have no calendar feed link yet.
account-calendar-new-link = Make a new link
account-calendar-make-link = Make a calendar feed link

## The member's applications

apps-lead = Applications you have allowed to use your account. Revoking one ends its access at once; it would have to ask you again.
apps-calendar-text = A private link to the events you are enrolled in, for your calendar apps. Anyone who has it can read those events.
apps-made = Made
apps-revoke-calendar = Revoke the calendar feed link
apps-none = You have not authorized any application.
apps-it-may = It may
apps-authorized = Authorized
apps-revoke-for = Revoke access for { $app }
apps-revoke-access = Revoke access
col-last-used = Last used

## Notices after an action

notice-member-created = Created { $name }.
notice-member-disabled = { $name } is disabled: their sessions and every token of their applications ended.
notice-member-enabled = { $name } is enabled.
notice-made-admin = { $name } is now an admin.
notice-unmade-admin = { $name } is no longer an admin.
notice-member-deleted = The member was deleted with their grants and tokens.
notice-app-enabled = { $name } is enabled.
notice-app-disabled = { $name } is disabled: its requests and tokens are refused.
notice-app-saved = Saved { $name }.
notice-app-deleted = The application was deleted with { $n ->
    [one] { $n } grant
   *[other] { $n } grants
} and { $m ->
    [one] { $m } token
   *[other] { $m } tokens
}.
notice-grant-revoked = Grant { $id } revoked with { $n ->
    [one] { $n } token
   *[other] { $n } tokens
}.
notice-token-revoked = The { $kind } was revoked.
notice-access-revoked = { $name } no longer has access to your account.
notice-group-hidden = { $name } is hidden: members no longer see it or anything in it.
notice-group-shown = { $name } is shown again.
notice-group-deleted = The group was deleted with { $n ->
    [one] { $n } post
   *[other] { $n } posts
} and { $m ->
    [one] { $m } comment
   *[other] { $m } comments
}.
notice-post-hidden = Post { $id } is hidden: members no longer see it, and its reports are closed.
notice-post-shown = Post { $id } is shown again.
notice-post-deleted = Post { $id } was deleted with { $n ->
    [one] { $n } comment
   *[other] { $n } comments
}.
notice-comment-hidden = Comment { $id } is hidden: members no longer see it, and its reports are closed.
notice-comment-shown = Comment { $id } is shown again.
notice-comment-deleted = Comment { $id } was deleted with { $n ->
    [one] { $n } reply
   *[other] { $n } replies
}.
notice-post-reports-dismissed = Dismissed { $n ->
    [one] { $n } report
   *[other] { $n } reports
} of post { $id }; the post stays as it was.
notice-comment-reports-dismissed = Dismissed { $n ->
    [one] { $n } report
   *[other] { $n } reports
} of comment { $id }; the comment stays as it was.
notice-calendar-replaced = Your calendar feed has a new link; the old one no longer works.
notice-calendar-revoked = Your calendar feed link is revoked; calendars using it stop updating.
notice-fcm-credentials-set = Stored the FCM credentials of { $name }.
notice-fcm-credentials-removed = Removed the FCM credentials of { $name }: its FCM devices are not sent to.
notice-apns-credentials-set = Stored the APNs key of { $name }.
notice-apns-credentials-removed = Removed the APNs credentials of { $name }: its APNs devices are not sent to.
notice-apns-certificate-set = Stored the APNs certificate of { $name }.
token-kind-code = authorization code
token-kind-access = OAuth 2.0 access token
token-kind-refresh = OAuth 2.0 refresh token
token-kind-oauth1 = OAuth 1.0a access token

## Admin console

admin-dashboard = Dashboard
admin-tokens = Tokens
admin-members = Members
admin-groups = Groups
admin-content = Content
admin-audit = Audit log
admin-settings = Settings
title-grant = Grant
title-application = Application
title-delete-application = Delete application
title-edit-application = Edit application
title-delete-group = Delete group
title-delete-member = Delete member
push-notifications = Push notifications
deleted-member = (deleted member)
cannot-be-undone = It cannot be undone.
hide-instead = To take it out of sight but keep it, hide it instead.
delete-question = Delete { $name }?
delete-name = Delete { $name }
delete-tokens-end = { $n ->
    [one] token.
   *[other] tokens.
}
search-next-ones = search the next ones
hint-one-per-line = (one per line)
button-edit = Edit
badge-hidden = hidden
badge-deleted = deleted
badge-hidden-group = hidden group
aria-hide = Hide { $name }
aria-show-again = Show { $name } again
aria-dismiss = Dismiss the reports of { $name }
aria-content-in = Posts and comments in { $name }
open-reports = { $n ->
    [one] { $n } open report
   *[other] { $n } open reports
}
status-enabled = Enabled
status-disabled = Disabled
status-active = Active

## Table columns

col-name = Name
col-status = Status
col-joined = Joined
col-actions = Actions
col-application = Application
col-protocol = Protocol
col-protocols = Protocols
col-scopes = Scopes
col-created = Created
col-live-tokens = Live tokens
col-state = State
col-id = Id
col-type = Type
col-issued = Issued
col-expires = Expires
col-time = Time
col-actor = Actor
col-action = Action
col-target = Target
col-detail = Detail
col-identifier = Identifier
col-registered = Registered
col-author = Author
col-access = Access
col-written = Written
col-reports = Reports
col-title = Title
col-text = Text

## Dashboard

dash-waiting = waiting for a moderator.
dash-counts = Counts
dash-members = { $n ->
    [one] member
   *[other] members
}
dash-applications = { $n ->
    [one] application
   *[other] applications
}
dash-grants = { $n ->
    [one] active grant
   *[other] active grants
}
dash-tokens = { $n ->
    [one] token issued in 24 h
   *[other] tokens issued in 24 h
}
dash-failures = { $n ->
    [one] sign-in failure in 24 h
   *[other] sign-in failures in 24 h
}
dash-groups = { $n ->
    [one] group
   *[other] groups
}
dash-reports = { $n ->
    [one] open report
   *[other] open reports
}
dash-at-a-glance = At a glance
dash-figures-by-day = The figures by day
dash-day-utc = Day (UTC)
dash-counted-since = Counted since this version was installed (schema 4); earlier events are not in the charts.
dash-backup = Backup
dash-last-backup = Last backup
dash-scheduled = (scheduled)
dash-no-backup = No backup yet.
dash-make-backup = Make one with
dash-server-keeps-serving = (the server keeps serving)
dash-or-set = , or set
dash-every-day = in the configuration for one every day
dash-push-devices = { $n ->
    [one] device
   *[other] devices
}
dash-push-outbox = { $n ->
    [one] activity entry to fan out
   *[other] activity entries to fan out
}
dash-push-pending = { $n ->
    [one] delivery waiting.
   *[other] deliveries waiting.
}
dash-push-metrics = Deliveries by service and outcome are in
dash-push-last-failure = Last failure ({ $service }):
dash-recent = Recent events
dash-nothing-yet = Nothing yet.
dash-whole-audit = The whole audit log
chart-tokens-title = Tokens issued per hour, last 7 days
chart-signins-title = Sign-in failures and lock-outs per hour, last 7 days
chart-grants-title = Active grants, last 30 days
chart-deliveries-title = Push deliveries per hour by outcome, last 7 days
chart-oauth2 = OAuth 2.0
chart-oauth1 = OAuth 1.0a
chart-failures = failures
chart-lockouts = lock-outs
chart-active-grants = active grants
chart-delivered = delivered
chart-to-retry = to retry
chart-device-gone = device gone
chart-refused = refused
chart-gave-up = gave up
chart-empty = Nothing counted yet
chart-summary-empty = { $title }: nothing counted yet.
chart-summary-bars = { $title }: { $parts } in all; the busiest hour, from { $at }, had { $max }.
chart-summary-line = { $title }: { $last } now; the most was { $max }, on { $day }.
chart-axis-day = { $month } { $day }
month-short-1 = Jan
month-short-2 = Feb
month-short-3 = Mar
month-short-4 = Apr
month-short-5 = May
month-short-6 = Jun
month-short-7 = Jul
month-short-8 = Aug
month-short-9 = Sep
month-short-10 = Oct
month-short-11 = Nov
month-short-12 = Dec

## Settings

settings-title = Site settings
settings-saved = The settings were saved.
settings-unchanged = Nothing changed.
settings-reset = The file's value is in force again.
settings-not-saved = The settings were not saved: see the marked fields below.
settings-lead = The site's name, logo and accent colour appear on every page, on the sign-in page and in the consent question. A value saved here overrides the configuration file's until you reset it.
settings-identity = Identity
settings-name = Name
settings-logo = Logo
settings-logo-hint = (a PNG, JPEG or WebP file in the data directory, at most 512 KiB; empty for none)
settings-accent = Accent colour
settings-accent-hint = (#rrggbb; empty for the default)
settings-from-default = In force from the default.
settings-from-file = In force from the configuration file.
settings-from-page = In force from this page.
settings-logo-alt = The logo in force
settings-back-to-file = Back to the file's values
settings-reset-name = Reset the name to the file's value
settings-reset-logo = Reset the logo to the file's value
settings-reset-accent = Reset the accent colour to the file's value

## Members

users-new = New member
users-create = Create member
users-new-invite = New invite link
users-search-placeholder = name or e-mail
users-make-admin = Make admin
users-unmake-admin = Unmake admin
users-reset-password = Reset password
users-reset-link-for = Password reset link for { $name }
users-one-time-link = One-time link
users-reset-shown-once = Shown once. Anyone with this link can set { $name }'s password.
users-invite-link = Invite link
users-one-time-invite = One-time invite link
users-invite-shown-once = Shown once. Whoever has this link can create an account, once, within 7 days.
users-reset-notice = Give this one-time link to { $name }; it works once, for 24 hours. Using it ends their sessions and their applications' access.
users-invite-notice = Give this invite link to the person you invite; it works once, for 7 days, whatever the registration setting.
users-delete-removes = This removes the member, ends their sessions, and revokes
users-delete-grants-with = { $n ->
    [one] application grant with
   *[other] application grants with
}
err-last-admin = That would leave the site without an enabled admin. Make someone else an admin first.
err-no-member = No such member
err-no-member-text = There is no member named { $name }.
err-unknown-action = Unknown action
err-unknown-action-text = { $action } is not an action.
err-not-possible = Not possible

## Tokens and grants

tokens-lead = Every grant: one member's authorization of one application (or an application's own). Revoking a grant ends all of its tokens at once.
tokens-with-live = With live tokens
tokens-without-live = Without live tokens
tokens-none = No grants yet. A grant appears here when a member approves an application, or an application gets a token of its own; register applications under
tokens-none-match = No grants match these filters.
grant-heading = Grant { $id }: { $app }
grant-revoke-whole = Revoke the whole grant
grant-tokens-hint = Tokens are stored only as digests; the first characters of the digest identify each. JWT access tokens are not stored and so are not listed; revoking the grant ends them too.
grant-no-tokens = No stored tokens.
grant-app-itself = (the application itself)
token-expired = expired
token-used = used
token-live = live
err-no-grant = No such grant
err-no-grant-text = It was revoked, or its application or member was deleted.
err-no-token = No such token
err-no-token-text = It expired or was revoked already.

## Audit log

audit-prefix = (prefix)
audit-from = From
audit-to = To
audit-export = Export what matches:
audit-json-lines = JSON lines
audit-none = No events match.
audit-time-utc = Time (UTC)
audit-older = (older events)
err-bad-filter = The filter is not valid
err-export-format = Unknown export format
err-export-format-text = { $format }: choose csv or jsonl

## Applications (admin)

clients-new = New application
clients-search-placeholder = name, client_id or consumer key
clients-none = No applications yet —
clients-register-one = register one
clients-none-match = No applications match these filters.
clients-edit-name = Edit { $name }
clients-not-registered = The application was not registered: see the marked field below.
clients-basics = Basics
clients-name-hint = (members see it on the consent page)
clients-logo-url = Logo URL
clients-scopes = Scopes it may ask for
clients-scopes-hint = (space-separated; read and write are shorthands)
clients-first-party-check = First-party: this site's own application, no consent page
clients-client-type = Client type
clients-confidential-hint = Confidential: a server that keeps a secret
clients-public-hint = Public: a phone, desktop or browser app (no secret; PKCE required)
clients-access-tokens = Access tokens
clients-opaque = opaque (revocable at once)
clients-signing-alg = Signing algorithm
clients-access-ttl = Access-token lifetime
clients-access-ttl-hint = (seconds; empty: server default)
clients-refresh-ttl = Refresh-token lifetime
clients-seconds-hint = (seconds)
clients-require-pkce = Require PKCE (always on for public clients)
clients-pkce-plain = Allow the weaker PKCE "plain" method
clients-introspect-any = May introspect other applications' tokens
clients-cors = Allowed CORS origins
clients-cors-hint = (one per line, e.g. https://app.example.org)
clients-oauth1-consumer = OAuth 1.0a consumer
clients-callback-url = Callback URL
clients-callback-hint = (or oob: the member copies a code into the app)
clients-rsa-key = RSA public key
clients-rsa-key-hint = (PEM, for RSA-SHA1)
clients-token-ttl-hint = (seconds; empty: until revoked)
clients-two-legged-check = Two-legged: may sign requests as itself, without a member
clients-legacy = Legacy OAuth 1.0 (no verifier; only for old clients)
clients-cannot-change = Protocols and the client type cannot change here: they decide the credentials.
clients-register = Register application
clients-seconds-error = Write a number of seconds, or leave it empty.
clients-protocols-error = Choose OAuth 2.0, OAuth 1.0a, or both.
clients-delete-removes = This removes the application and revokes
clients-delete-grants-with = { $n ->
    [one] grant with
   *[other] grants with
}
clients-delete-loses = Every member who authorized it loses the connection.
client-confidential = Confidential
client-public = Public
client-description = Description
client-homepage = Homepage
client-first-party = First-party
client-first-party-yes = yes (no consent page)
client-redirect-uris = Redirect URIs
client-grants = Grants
client-token-format = { $format }, signed { $alg }
client-pkce-required = PKCE required
client-cors-origins = CORS origins
client-consumer-key = Consumer key
client-consumer-secret = consumer secret
client-callback = Callback
client-revision = Revision
client-signature-methods = Signature methods
client-two-legged = Two-legged
client-fcm-configured = configured (not shown again)
client-fcm-not-configured = not configured
client-fcm-replace = Replace the FCM service-account JSON (from the Firebase console, Project settings, Service accounts)
client-fcm-json = The FCM service-account JSON (from the Firebase console, Project settings, Service accounts)
client-fcm-save = Save FCM credentials
client-fcm-remove = Remove FCM credentials
client-apns-configured = key { $key }, team { $team }, topic { $topic }; the key is not shown again; set
client-apns-replace = Replace the APNs credentials with a key: the text of the .p8 file (Apple Developer, Certificates, Identifiers & Profiles, Keys, with Apple Push Notifications service enabled)
client-apns-key = The APNs key: the text of the .p8 file (Apple Developer, Certificates, Identifiers & Profiles, Keys, with Apple Push Notifications service enabled)
client-apns-key-id = Key ID (10 characters, shown beside the key)
client-apns-team-id = Team ID (10 characters, under Membership in the developer account)
client-apns-topic = Topic: the app's bundle ID, such as org.example.app
client-apns-save = Save APNs key
client-apns-remove = Remove APNs credentials
client-apns-environments = Devices registered with environment sandbox are sent to Apple's sandbox, the others to production; one key serves both, and a certificate serves the environments Apple made it for (a "Sandbox & Production" certificate serves both).
client-apns-cert-configured = certificate { $subject }, topic { $topic }, valid until { $expires }; the key is not shown again; set
client-apns-cert-expired = Expired: Apple refuses it; enter a new certificate or a token key.
client-apns-either = APNs takes a token key (.p8) or a certificate with its key; saving one replaces the other.
client-apns-token-heading = Token key (.p8)
client-apns-cert-heading = Certificate
client-apns-cert = The certificate as PEM text: the "Apple Push Notification service SSL" certificate (Apple Developer, Certificates, Identifiers & Profiles, Certificates), with its chain if you have it. From a .p12 file: openssl pkcs12 -in cert.p12 -nodes
client-apns-cert-key = The certificate's private key as PEM text (PKCS#8, RSA or EC), without a password; leave empty when it is in the text above
client-apns-cert-save = Save APNs certificate
client-rotate = Rotate secret
credentials-title = Credentials
credentials-heading = { $app }: credentials
credentials-copy-now = Copy these now.
credentials-shown-once = The secrets are shown this once and cannot be shown again; if lost, rotate them.
credentials-registered = The application was registered.
credentials-rotated = The application's secret was rotated.
credentials-endpoints = Endpoints: see
credentials-discovery = discovery
credentials-and = and
credentials-done = Done
err-no-application = No such application
err-no-application-text = There is no application { $key }.
err-no-setting = There is no setting { $key }.

## Content and groups

content-reported = Reported content
content-lead = Posts and comments, hidden ones too, with the reports against them. Hiding takes an item out of members' sight (the API answers “not found”) and closes its reports; show it again at any time. Deleting cannot be undone.
content-shown-here = (shown here, the most recently reported first)
content-search-placeholder = words in a title or text
content-kind = Kind
content-posts = Posts
content-comments = Comments
content-hidden = Hidden
content-reported-state = Reported
content-where = Where
content-anywhere = Anywhere
content-own-streams = Own streams
content-own-stream = own stream
content-hidden-paren = (hidden)
content-none-of-budget = None of the { $n } items looked at match;
content-no-reports = No open reports. When a member reports a post or comment, it waits here until you hide it, delete it or dismiss its reports.
content-nothing-hidden = Nothing is hidden. Hide a post or comment from
content-list-of-everything = the list of everything
content-nothing-hidden-end = ; it waits here, out of members' sight, until you show it again or delete it.
content-nothing-posted = Nothing posted yet. Posts and comments appear here when members write them through the API; what they report waits under
content-open-reports-link = open reports
content-nothing-matches = Nothing matches these filters.
content-show-everything = Show everything
content-posts-and-comments = Posts and comments
content-deleted-by-author = Deleted by its author after it was reported.
content-reply-on-post = A reply on post { $id }:
content-on-post = On post { $id }:
content-no-reports-cell = none
content-dealt-with = (dealt with)
content-dismiss-reports = Dismiss reports
content-post-n = Post { $id }
content-comment-n = Comment { $id }
content-delete-post = This removes the post with its
content-delete-post-end = { $n ->
    [one] comment and its likes, and closes its reports.
   *[other] comments and its likes, and closes its reports.
}
content-delete-comment = This removes the comment with its
content-delete-comment-end = { $n ->
    [one] reply, and closes its reports.
   *[other] replies, and closes its reports.
}
content-delete-reply = This removes the reply and closes its reports.
err-not-a-choice = { $what } is not a choice here.
err-no-such = No such { $what ->
    [comment] comment
    [event] event
    [file] file
    [folder] folder
    [group] group
    [member] member
    [post] post
    [push_subscription] push subscription
    [report] report
   *[other] { $what }
}
err-no-such-text = There is no such { $what ->
    [comment] comment
    [event] event
    [file] file
    [folder] folder
    [group] group
    [member] member
    [post] post
    [push_subscription] push subscription
    [report] report
   *[other] { $what }
}: it may have been deleted already.
groups-lead = Every group, hidden ones too. Hiding a group takes it and everything in it out of members' sight and keeps it here; deleting removes it with its posts, comments and memberships.
groups-search-placeholder = name or description
groups-show = Show
groups-every = Every group
groups-every-lower = every group
groups-hidden = Hidden groups
groups-none-of-budget = None of the { $n } groups looked at match;
groups-none = No groups yet. Groups appear here when members create them through the API
groups-none-or = or
groups-none-loads = loads some.
groups-none-hidden = No group is hidden. To hide one, choose
groups-none-hidden-end = and use its Hide button.
groups-none-match = No groups match these filters.
groups-show-every = Show every group
groups-joining = Joining
groups-listed-to = Listed to
groups-created-by = Created by
groups-delete-removes = This removes the group with its
groups-delete-posts = { $n ->
    [one] post,
   *[other] posts,
}
groups-delete-comments = { $n ->
    [one] comment, its activity and its
   *[other] comments, its activity and its
}
groups-delete-members = { $n ->
    [one] member's membership.
   *[other] members' memberships.
}
access-public = everyone
access-members = members
access-group = the group
access-private = only the author
access-friends = friends
joining-open = open
joining-closed = on request
settings-err-name-empty = write a name (it appears in every page's header and title)
settings-err-name-long = use at most { $max } characters
settings-err-name-line = use one line without control characters
settings-err-accent = this is not a colour; write it as # and six hex digits, like #2456c7
settings-err-logo-name = write the file's name in the data directory, like logo.png
settings-err-logo-inside = name a file inside the data directory (a relative path without ..)

## Connections (accounts at other sites, sign in with a provider)

title-connections = Connected accounts
title-link-account = Link your account
admin-providers = Providers
conn-err-did-not-work = That did not work
conn-err-remote = The other site did not play along
conn-err-remote-text = The other site answered: { $reason }
conn-err-not-available = Not available
conn-err-callback = The other site sent you back with an address this site cannot read. Please start again.
conn-err-other-session = This attempt was started by another session (or you signed out since); nothing was connected. Please start again.
conn-err-no-sign-in = { $provider } does not sign members in on this site.
conn-err-account-disabled = This account is disabled on this site.
conn-err-linked-already = This account at the other site is linked to a member already.
conn-err-field = { $field }: { $message }
conn-err-not-connected = The account was not connected
conn-err-flow-unknown = This attempt is unknown or has expired; nothing was connected. Please start again.
conn-provider-n = provider { $id }
conn-notice-connected = Your account is connected.
conn-notice-disconnected = The connection is removed, and its access was revoked at the other site.
conn-notice-disconnected-local = The connection is removed here, but the other site could not be told to revoke its access; you may revoke it there.
conn-notice-linked = You can now sign in with that account.
conn-notice-unlinked = That account no longer signs you in.
conn-lead = Your accounts at other sites that this site may use for you, and the accounts you sign in with.
conn-yours = Accounts you connected
conn-none = You have not connected any account.
conn-connected = Connected
conn-renewed = Renewed
conn-needs-reconnect = This connection needs to be made again: { $why }
conn-disconnect = Disconnect
conn-disconnect-label = Disconnect { $provider }: { $user }
conn-connect-new = Connect an account
conn-connect-button = Connect { $provider }
conn-sign-in-with = Accounts you sign in with
conn-password-only = You sign in with your password only.
conn-linked = Linked
conn-unlink = Unlink
conn-unlink-label = Stop signing in with { $provider }
conn-link-new = Sign in with another account too
conn-link-button = Link { $provider }
link-heading = Link your { $provider } account
link-signed-in-at = You signed in at { $provider } as
link-not-yet = , but that account does not sign anyone in here yet.
link-how = Sign in once with your username and password on this site to link it; from then on, { $provider } signs you in.
link-submit = Sign in and link
link-new-here = New here?
link-register-text = Create an account on this site that you sign in to with { $provider }.
link-register-submit = Create my account
apps-connections-hint = Your accounts at other sites that this site may use for you
apps-connections-manage = manage
prov-err-no-such = No such provider
prov-err-no-such-text = There is no such provider: it may have been deleted.
prov-err-not-possible = Not possible
prov-notice-deleted = The provider is deleted, with its members' connections and sign-in links.
prov-notice-created = The provider is added. Register the callback URL below at the provider.
prov-notice-disabled = The provider is disabled.
prov-notice-enabled = The provider is enabled.
prov-lead = Other sites members may connect their accounts at, or sign in with.
prov-none = No providers yet.
prov-callback-url = Callback URL
prov-issuer = Issuer
prov-discovery = Discovery
prov-authorize-url = Authorization URL
prov-token-url = Token URL
prov-userinfo-url = Userinfo URL
prov-revocation-url = Revocation URL
prov-key-set = Key set
prov-request-url = Request token URL
prov-access-url = Access token URL
prov-signature = Signature
prov-client-id = Client id
prov-client-secret = Client secret
prov-secret-sealed = sealed; not shown
prov-api-base = API base
prov-members-connect = Members connect
prov-sign-in-button = Sign-in button
prov-connections = Connections
prov-added = Added
prov-rsa-key = RSA public key
prov-rsa-key-hint = Register it at the service.
prov-delete-label = Delete { $name } with its { $n ->
    [one] { $n } connection
   *[other] { $n } connections
}
prov-add = Add a provider
prov-add-hint = First register this site as a client at the provider, with the callback URL
prov-protocol-oidc = OpenID Connect (discovery)
prov-protocol-oauth2 = OAuth 2.0 (endpoints by hand)
prov-field-discovery = Discovery URL or issuer (OpenID Connect)
prov-field-authorize = Authorization URL (OAuth 2.0, OAuth 1.0a)
prov-field-token = Token URL (OAuth 2.0)
prov-field-userinfo = Userinfo URL (optional)
prov-field-revocation = Revocation URL (optional, RFC 7009)
prov-field-request = Request token URL (OAuth 1.0a)
prov-field-access = Access token URL (OAuth 1.0a)
prov-field-signature = Signature method (OAuth 1.0a)
prov-field-client-id = Client id (OAuth 1.0a: consumer key)
prov-field-client-secret = Client secret (OAuth 1.0a: consumer secret); kept sealed, never shown again
prov-field-scopes = Scopes (space-separated)
prov-field-api-base = API base URL (calls on members' behalf stay under it)
prov-field-member-connect = Members may connect their accounts
prov-field-sign-in = "Sign in with" button on the sign-in page (OpenID Connect)
prov-add-submit = Add provider
prov-err-field = { $label } ({ $field }): { $message }
prov-invalid-required = is required
prov-invalid-name-length = must be 1 to 60 characters
prov-invalid-too-long = is too long
prov-invalid-sign-in-oidc = only an OpenID Connect provider can sign members in

## An application's registration refused (registry::error::Problem), on /admin/clients
app-invalid-name-length = Use 1 to 100 characters.
app-invalid-url = Write an http:// or https:// address.
app-invalid-origin = { $origin } is not an origin.
app-invalid-origin-bare = { $origin } must be scheme://host[:port] only, without a path.
app-invalid-grant = { $grant } is not a grant type; allowed: { $allowed }.
app-invalid-public-client-credentials = A public client has no secret, so it cannot use client_credentials.
app-invalid-redirect-needed = authorization_code and implicit need at least one redirect URI.
app-invalid-scope-characters = A scope contains a character that is not allowed.
app-invalid-scope-unknown = Unknown scope: { $scope }.
app-invalid-token-format = { $value }: choose opaque or jwt.
app-invalid-signing-alg = { $value }: choose EdDSA, ES256 or RS256.
app-invalid-lifetime = Use between 1 second and 365 days.
app-invalid-no-secret = A public client has no secret to rotate.
app-invalid-protocols-fixed = The protocols cannot change; register a new application for another one.
app-invalid-client-type-fixed = The client type cannot change; register a new application.
app-invalid-rsa-private = This is a private key; register only the public key ("BEGIN PUBLIC KEY" or "BEGIN RSA PUBLIC KEY").
app-invalid-rsa-not-pem = Expected a PEM RSA public key starting with "-----BEGIN PUBLIC KEY-----" or "-----BEGIN RSA PUBLIC KEY-----".
app-invalid-rsa-unreadable = The PEM block could not be read as an RSA public key: { $detail }
app-invalid-rsa-short = The RSA key is { $bits } bits; at least { $min } bits are required.
app-invalid-signature-method = { $method } is not a signature method; use HMAC-SHA1, HMAC-SHA256, RSA-SHA1 or PLAINTEXT (names are case-sensitive).
app-invalid-rsa-needed = RSA-SHA1 needs the consumer's RSA public key (PEM).
app-invalid-rsa-unused = An RSA public key is used only with RSA-SHA1; allow RSA-SHA1 too.
app-invalid-no-scope = A consumer needs at least one scope.
app-invalid-consumer-lifetime = Use between 1 second and 10 years, or leave it empty (until revoked).
app-invalid-apns-cert-none = No certificate found: paste the certificate as PEM text (-----BEGIN CERTIFICATE-----).
app-invalid-apns-cert-unreadable = The certificate cannot be read: { $detail }.
app-invalid-apns-cert-no-key = No private key found: paste the certificate's private key as PEM text.
app-invalid-apns-cert-encrypted = The private key is protected by a password; export it without one (openssl pkcs12 -nodes).
app-invalid-apns-cert-key-unsupported = This private key cannot be used for TLS (use RSA of 2048 bits or more, EC P-256 or P-384, or Ed25519).
app-invalid-apns-cert-key-mismatch = The private key does not belong to the certificate.
app-invalid-apns-cert-not-client = This certificate is not for client authentication, so it is not an APNs certificate.
app-invalid-apns-cert-not-yet-valid = The certificate is not valid before { $when }.
app-invalid-apns-cert-expired = The certificate expired on { $when }; Apple refuses it.
app-invalid-apns-cert-topic = Topic: enter the app's bundle ID, such as org.example.app.
app-invalid-uri-empty = A redirect URI must not be empty.
app-invalid-uri-characters = { $uri }: write the address in ASCII without spaces or control characters; percent-encode anything else.
app-invalid-uri-not-absolute = { $uri } is not an absolute URI (it needs a scheme such as https://).
app-invalid-uri-fragment = { $uri } must not contain a fragment (the part after #).
app-invalid-uri-user-info = { $uri } must not contain a user name or password.
app-invalid-uri-scheme = { $uri }: the { $scheme }: scheme cannot be used for a redirect.
app-invalid-uri-http = http is allowed only for a loopback address (127.0.0.1, [::1] or localhost); use https for { $uri }.
app-invalid-uri-custom-scheme = { $uri }: the custom scheme { $scheme }: must be a reverse domain name you control, such as com.example.app:/callback.

## The audit log's filter refused, on /admin/audit
audit-bad-date = “{ $value }” is not a date: write it as YYYY-MM-DD, such as 2026-12-01.
