//! The one catalogue of tables. Keys are big-endian integers or `0x00`-joined
//! byte strings so that range scans come out in the order the callers need;
//! values are versioned records (see `codec`).

use redb::TableDefinition;

/// Schema version and id sequences.
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");

/// UserId -> User record.
pub const USERS: TableDefinition<u64, &[u8]> = TableDefinition::new("users");
/// lower-cased username -> UserId.
pub const USERS_BY_NAME: TableDefinition<&str, u64> = TableDefinition::new("users_by_name");

/// SHA-256 of the session cookie -> Session record.
pub const SESSIONS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("sessions");

/// SHA-256 of a one-time link token -> OneTimeLink record.
pub const ONE_TIME_LINKS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("one_time_links");

/// AuditId (ascending with time) -> AuditEvent record.
pub const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");

/// ClientId -> Client record (one per application, both protocols).
pub const CLIENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("clients");
/// Public identifier (OAuth 2.0 `client_id`, OAuth 1.0a consumer key) -> ClientId.
pub const CLIENT_KEYS: TableDefinition<&str, u64> = TableDefinition::new("client_keys");

/// GrantId -> Grant record: one member's authorization of one application.
pub const GRANTS: TableDefinition<u64, &[u8]> = TableDefinition::new("grants");
/// UserId (8 bytes, 0 for the application's own grant) ++ ClientId (8) -> GrantId.
pub const GRANTS_BY_MEMBER: TableDefinition<&[u8], u64> = TableDefinition::new("grants_by_member");

/// ClientId (8 bytes) ++ GrantId (8) -> (), so an application's grants are
/// found without reading every grant (schema 2).
pub const GRANTS_BY_CLIENT: TableDefinition<&[u8], ()> = TableDefinition::new("grants_by_client");

/// SHA-256 of a token or code -> Token record.
pub const TOKENS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("tokens");
/// GrantId (8 bytes) ++ token digest (32) -> (), so a grant's tokens die with it.
pub const TOKENS_BY_GRANT: TableDefinition<&[u8], ()> = TableDefinition::new("tokens_by_grant");
/// Expiry (`Key::time`, 8 bytes) ++ token digest (32) -> () for every token
/// that expires, so the sweep reads only what has expired (schema 2).
pub const TOKENS_BY_EXPIRY: TableDefinition<&[u8], ()> = TableDefinition::new("tokens_by_expiry");

/// SHA-256 of an OAuth 1.0a request token (temporary credentials) ->
/// RequestToken record: consumer, callback, sealed secret, expiry, and the
/// member's decision with the verifier's digest.
pub const OAUTH1_REQUEST_TOKENS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("oauth1_request_tokens");
/// Expiry (`Key::time`, 8 bytes) ++ request token digest (32) -> (), so the
/// sweep reads only what has expired (schema 2).
pub const OAUTH1_REQUESTS_BY_EXPIRY: TableDefinition<&[u8], ()> = TableDefinition::new("oauth1_requests_by_expiry");
/// oauth_timestamp (8 bytes, big-endian) ++ consumer key ++ 0x00 ++ SHA-256
/// of the token (32) ++ nonce -> (): the nonces seen inside the timestamp
/// window. Time first, so the sweep removes everything older than the
/// window with one range.
pub const OAUTH1_NONCES: TableDefinition<&[u8], ()> = TableDefinition::new("oauth1_nonces");
/// SHA-256 of a revoked OAuth 1.0a access token -> when its grant was last
/// used, so a consumer hears `token_revoked`; swept after a while.
pub const OAUTH1_REVOKED: TableDefinition<&[u8], i64> = TableDefinition::new("oauth1_revoked");
/// That time (`Key::time`, 8 bytes) ++ the token's SHA-256 (32) -> (), so
/// the sweep reads only the tombstones old enough to go (schema 2).
pub const OAUTH1_REVOKED_BY_TIME: TableDefinition<&[u8], ()> = TableDefinition::new("oauth1_revoked_by_time");

/// SHA-256 of a blob (32 bytes) ++ owner kind (1) ++ owner id (8) -> ():
/// who uses each file under `DATA_DIR/files/` (`store::blobs`), so a blob
/// goes when its last user does. New in this schema; nothing to backfill.
pub const BLOB_REFS: TableDefinition<&[u8], ()> = TableDefinition::new("blob_refs");

/// kid -> signing key record (JWT access tokens and id_tokens).
pub const SIGNING_KEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("signing_keys");

/// GroupId -> Group record (schema 3: the social tables).
pub const GROUPS: TableDefinition<u64, &[u8]> = TableDefinition::new("groups");
/// GroupId -> GroupCounts: members and the activity sequence, kept apart
/// from the group so that activity never changes the group's ETag.
pub const GROUP_COUNTS: TableDefinition<u64, &[u8]> = TableDefinition::new("group_counts");
/// GroupId (8) ++ UserId (8) -> Membership record (members and requests).
pub const MEMBERS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("members");
/// UserId (8) ++ GroupId (8) -> (): a member's groups.
pub const MEMBER_GROUPS: TableDefinition<&[u8], ()> = TableDefinition::new("member_groups");

/// PostId -> Post record.
pub const POSTS: TableDefinition<u64, &[u8]> = TableDefinition::new("posts");
/// PostId -> PostCounts (likes, comments), apart from the post's ETag.
pub const POST_COUNTS: TableDefinition<u64, &[u8]> = TableDefinition::new("post_counts");
/// GroupId (8) ++ PostId (8) -> ().
pub const POSTS_BY_GROUP: TableDefinition<&[u8], ()> = TableDefinition::new("posts_by_group");
/// UserId (8) ++ PostId (8) -> ().
pub const POSTS_BY_AUTHOR: TableDefinition<&[u8], ()> = TableDefinition::new("posts_by_author");
/// tag ++ 0x00 ++ PostId (8) -> ().
pub const POSTS_BY_TAG: TableDefinition<&[u8], ()> = TableDefinition::new("posts_by_tag");
/// tag -> TagCounts: how many public and members-level posts carry it.
pub const TAGS: TableDefinition<&str, &[u8]> = TableDefinition::new("tags");
/// PostId (8) ++ UserId (8) -> when the member liked it.
pub const LIKES: TableDefinition<&[u8], i64> = TableDefinition::new("likes");

/// CommentId -> Comment record.
pub const COMMENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("comments");
/// PostId (8) ++ CommentId (8) -> ().
pub const COMMENTS_BY_POST: TableDefinition<&[u8], ()> = TableDefinition::new("comments_by_post");

/// GroupId (8) ++ ActivityId (8) -> Activity record: the group's river.
pub const ACTIVITY: TableDefinition<&[u8], &[u8]> = TableDefinition::new("activity");
/// ActivityId -> OutboxEntry: new activity for the push worker to fan out,
/// written in the same transaction as the activity.
pub const OUTBOX: TableDefinition<u64, &[u8]> = TableDefinition::new("outbox");

/// ReportId -> Report record: a member's report of a post or comment.
pub const REPORTS: TableDefinition<u64, &[u8]> = TableDefinition::new("reports");
/// Target (kind byte: 1 post, 2 comment; its id, 8) ++ ReportId (8) -> ():
/// every report of one post or comment, so acting on it does not read
/// every report there is.
pub const REPORTS_BY_TARGET: TableDefinition<&[u8], ()> = TableDefinition::new("reports_by_target");
/// ReportId -> its target's key (as in `REPORTS_BY_TARGET`), for the
/// reports still open: the moderators' queue, and its count for the
/// dashboard, without reading the reports already dealt with.
pub const OPEN_REPORTS: TableDefinition<u64, &[u8]> = TableDefinition::new("open_reports");

/// UserId (8) ++ UserId (8) -> since when: a friendship, stored both ways
/// round, so each member's friends are one range (schema 4).
pub const FRIENDS: TableDefinition<&[u8], i64> = TableDefinition::new("friends");
/// To (8) ++ from (8) -> when asked: friend requests a member has received.
pub const FRIEND_REQUESTS: TableDefinition<&[u8], i64> = TableDefinition::new("friend_requests");
/// From (8) ++ to (8) -> when asked: the same requests, by who sent them.
pub const FRIEND_REQUESTS_SENT: TableDefinition<&[u8], i64> = TableDefinition::new("friend_requests_sent");
/// EventId -> Event record (schema 4).
pub const EVENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("events");
/// EventId -> EventCounts (members enrolled), apart from the event's ETag.
pub const EVENT_COUNTS: TableDefinition<u64, &[u8]> = TableDefinition::new("event_counts");
/// Start (`Key::time`, 8) ++ EventId (8) -> (): every event by start time.
pub const EVENTS_BY_START: TableDefinition<&[u8], ()> = TableDefinition::new("events_by_start");
/// GroupId (8) ++ start (`Key::time`, 8) ++ EventId (8) -> (): a group's
/// events by start time.
pub const EVENTS_BY_GROUP: TableDefinition<&[u8], ()> = TableDefinition::new("events_by_group");
/// EventId (8) ++ UserId (8) -> when the member enrolled.
pub const ENROLLMENTS: TableDefinition<&[u8], i64> = TableDefinition::new("enrollments");
/// UserId (8) ++ EventId (8) -> (): a member's enrollments, for their
/// calendar feed.
pub const ENROLLMENTS_BY_MEMBER: TableDefinition<&[u8], ()> = TableDefinition::new("enrollments_by_member");
/// UserId -> CalendarFeed record: the member's calendar feed token (its
/// digest, and the token sealed so that the member can be shown the URL).
pub const CALENDAR_FEEDS: TableDefinition<u64, &[u8]> = TableDefinition::new("calendar_feeds");
/// SHA-256 of a calendar feed token -> UserId.
pub const CALENDAR_TOKENS: TableDefinition<&[u8], u64> = TableDefinition::new("calendar_tokens");
/// FileId -> StoredFile record: an uploaded file's metadata (schema 4).
pub const FILES: TableDefinition<u64, &[u8]> = TableDefinition::new("files");
/// Place (GroupId or 0, 8; owner UserId for one's own space or 0, 8) ++
/// FolderId or 0 (8) ++ FileId (8) -> (): the files of one folder.
pub const FILES_BY_FOLDER: TableDefinition<&[u8], ()> = TableDefinition::new("files_by_folder");
/// FolderId -> Folder record (schema 4).
pub const FOLDERS: TableDefinition<u64, &[u8]> = TableDefinition::new("folders");
/// Place (as in `FILES_BY_FOLDER`) ++ parent FolderId or 0 (8) ++ FolderId
/// (8) -> (): the folders of one folder.
pub const FOLDERS_BY_PARENT: TableDefinition<&[u8], ()> = TableDefinition::new("folders_by_parent");

/// SubscriptionId -> Subscription record: one member's device (push).
pub const PUSH_SUBSCRIPTIONS: TableDefinition<u64, &[u8]> = TableDefinition::new("push_subscriptions");
/// UserId (8) ++ SubscriptionId (8) -> (): a member's devices.
pub const PUSH_SUBSCRIPTIONS_BY_USER: TableDefinition<&[u8], ()> = TableDefinition::new("push_subscriptions_by_user");
/// UserId (8) ++ ClientId (8) ++ SubscriptionId (8) -> (): what goes when
/// the member's grant of that application is revoked.
pub const PUSH_SUBSCRIPTIONS_BY_GRANT: TableDefinition<&[u8], ()> = TableDefinition::new("push_subscriptions_by_grant");
/// Service (1 byte) ++ endpoint or device token -> SubscriptionId: the same
/// device registered again updates its record.
pub const PUSH_SUBSCRIPTIONS_BY_DEVICE: TableDefinition<&[u8], u64> =
    TableDefinition::new("push_subscriptions_by_device");
/// UserId -> Preferences record (groups muted, quiet hours).
pub const PUSH_PREFERENCES: TableDefinition<u64, &[u8]> = TableDefinition::new("push_preferences");
/// ActivityId -> the last member id its fan-out has expanded, while an
/// outbox entry is expanded in batches.
pub const PUSH_FANOUT: TableDefinition<u64, u64> = TableDefinition::new("push_fanout");
/// DeliveryId -> Delivery record: a notification not yet acknowledged.
pub const PUSH_DELIVERIES: TableDefinition<u64, &[u8]> = TableDefinition::new("push_deliveries");
/// Due time (`Key::time`, 8) ++ DeliveryId (8) -> (): the deliveries in the
/// order they fall due, so those waiting out a backoff never hold up the
/// ones due now.
pub const PUSH_DELIVERIES_DUE: TableDefinition<&[u8], ()> = TableDefinition::new("push_deliveries_due");
/// ClientId -> PushCredentials record: an application's sealed FCM (and
/// APNs) credentials, apart from the client record.
pub const PUSH_CREDENTIALS: TableDefinition<u64, &[u8]> = TableDefinition::new("push_credentials");

/// ProviderId -> Provider record: a remote provider members connect to
/// (connections).
pub const PROVIDERS: TableDefinition<u64, &[u8]> = TableDefinition::new("providers");
/// Lower-cased provider name -> ProviderId.
pub const PROVIDERS_BY_NAME: TableDefinition<&str, u64> = TableDefinition::new("providers_by_name");
/// ConnectionId -> Connection record: a member's remote account, tokens sealed.
pub const CONNECTIONS: TableDefinition<u64, &[u8]> = TableDefinition::new("connections");
/// UserId (8) ++ ConnectionId (8) -> (): a member's connections.
pub const CONNECTIONS_BY_USER: TableDefinition<&[u8], ()> = TableDefinition::new("connections_by_user");
/// ProviderId (8) ++ remote subject ++ 0x00 ++ ConnectionId (8) -> ().
pub const CONNECTIONS_BY_REMOTE: TableDefinition<&[u8], ()> = TableDefinition::new("connections_by_remote");
/// Access-token expiry (`Key::time`, 8) ++ ConnectionId (8) -> (): the
/// connections the refresh task renews, soonest first.
pub const CONNECTIONS_BY_EXPIRY: TableDefinition<&[u8], ()> = TableDefinition::new("connections_by_expiry");
/// SHA-256 of a flow's `state` -> PendingFlow record (single use).
pub const PENDING_FLOWS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("pending_flows");
/// Expiry (`Key::time`, 8) ++ the flow's digest (32) -> (), for the sweep.
pub const PENDING_FLOWS_BY_EXPIRY: TableDefinition<&[u8], ()> = TableDefinition::new("pending_flows_by_expiry");
/// ProviderId (8) ++ remote subject ++ 0x00 -> SignInLink record.
pub const SIGNIN_LINKS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("signin_links");
/// UserId (8) ++ ProviderId (8) ++ remote subject ++ 0x00 -> ().
pub const SIGNIN_LINKS_BY_USER: TableDefinition<&[u8], ()> = TableDefinition::new("signin_links_by_user");
/// SHA-256 of a handle -> PendingIdentity record: a remote identity proven
/// at sign-in but linked to no member yet, while the person proves which
/// member they are (single use, short-lived).
pub const PENDING_IDENTITIES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("pending_identities");

/// Something done to every table of the catalogue, whatever its key and
/// value types: creating them all (`create_all`), copying them all into a
/// backup (`store::snapshot`).
pub trait EachTable {
    type Error;
    fn table<K: redb::Key + 'static, V: redb::Value + 'static>(
        &mut self,
        def: &'static TableDefinition<'static, K, V>,
    ) -> Result<(), Self::Error>;
}

/// The one list of tables. `create_all` and the backup both walk it, so a
/// table added here is made in every file and copied into every backup; a
/// table opened anywhere else but missing here fails the backup test that
/// compares a backup's tables with the live file's.
macro_rules! catalogue {
    ($($table:ident),* $(,)?) => {
        /// Runs `each` on every table, in catalogue order.
        pub fn each_table<E: EachTable>(each: &mut E) -> Result<(), E::Error> {
            $( each.table(&$table)?; )*
            Ok(())
        }
    };
}

/// Setting name (`site_name`, `site_logo`, `accent_color`) -> Setting
/// record: the values set on `/admin/settings`, over the file's.
pub const SITE_SETTINGS: TableDefinition<&str, &[u8]> = TableDefinition::new("site_settings");
/// Metric name ++ 0x00 ++ hour or day start (`Key::time`) -> number: the
/// dashboard's counters and gauges (see `store::stats`).
pub const STATS: TableDefinition<&[u8], u64> = TableDefinition::new("stats");

catalogue!(
    META,
    USERS,
    USERS_BY_NAME,
    SESSIONS,
    ONE_TIME_LINKS,
    AUDIT,
    CLIENTS,
    CLIENT_KEYS,
    GRANTS,
    GRANTS_BY_MEMBER,
    GRANTS_BY_CLIENT,
    TOKENS,
    TOKENS_BY_GRANT,
    TOKENS_BY_EXPIRY,
    SIGNING_KEYS,
    OAUTH1_REQUEST_TOKENS,
    OAUTH1_REQUESTS_BY_EXPIRY,
    OAUTH1_NONCES,
    OAUTH1_REVOKED,
    OAUTH1_REVOKED_BY_TIME,
    GROUPS,
    GROUP_COUNTS,
    MEMBERS,
    MEMBER_GROUPS,
    POSTS,
    POST_COUNTS,
    POSTS_BY_GROUP,
    POSTS_BY_AUTHOR,
    POSTS_BY_TAG,
    TAGS,
    LIKES,
    COMMENTS,
    COMMENTS_BY_POST,
    ACTIVITY,
    OUTBOX,
    REPORTS,
    BLOB_REFS,
    REPORTS_BY_TARGET,
    OPEN_REPORTS,
    FRIENDS,
    FRIEND_REQUESTS,
    FRIEND_REQUESTS_SENT,
    EVENTS,
    EVENT_COUNTS,
    EVENTS_BY_START,
    EVENTS_BY_GROUP,
    ENROLLMENTS,
    ENROLLMENTS_BY_MEMBER,
    CALENDAR_FEEDS,
    CALENDAR_TOKENS,
    FILES,
    FILES_BY_FOLDER,
    FOLDERS,
    FOLDERS_BY_PARENT,
    SITE_SETTINGS,
    STATS,
    PUSH_SUBSCRIPTIONS,
    PUSH_SUBSCRIPTIONS_BY_USER,
    PUSH_SUBSCRIPTIONS_BY_GRANT,
    PUSH_SUBSCRIPTIONS_BY_DEVICE,
    PUSH_PREFERENCES,
    PUSH_FANOUT,
    PUSH_DELIVERIES,
    PUSH_DELIVERIES_DUE,
    PUSH_CREDENTIALS,
    PROVIDERS,
    PROVIDERS_BY_NAME,
    CONNECTIONS,
    CONNECTIONS_BY_USER,
    CONNECTIONS_BY_REMOTE,
    CONNECTIONS_BY_EXPIRY,
    PENDING_FLOWS,
    PENDING_FLOWS_BY_EXPIRY,
    SIGNIN_LINKS,
    SIGNIN_LINKS_BY_USER,
    PENDING_IDENTITIES,
);

/// Every table, so that `migrate` can create them all in a new file and a
/// read transaction never meets a missing table.
pub fn create_all(tx: &redb::WriteTransaction) -> Result<(), redb::TableError> {
    struct Create<'a>(&'a redb::WriteTransaction);
    impl EachTable for Create<'_> {
        type Error = redb::TableError;
        fn table<K: redb::Key + 'static, V: redb::Value + 'static>(
            &mut self,
            def: &'static TableDefinition<'static, K, V>,
        ) -> Result<(), redb::TableError> {
            self.0.open_table(*def).map(|_| ())
        }
    }
    each_table(&mut Create(tx))
}
