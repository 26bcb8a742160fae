//! Typed ids: a `UserId` can never be passed where an `AuditId` is meant.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($name:ident, $seq:literal) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            /// The name of this id's sequence in the `meta` table.
            pub const SEQUENCE: &'static str = $seq;
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl From<$name> for u64 {
            fn from(id: $name) -> u64 {
                id.0
            }
        }

        impl From<&$name> for u64 {
            fn from(id: &$name) -> u64 {
                id.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    };
}

id_type!(UserId, "seq:user");
id_type!(AuditId, "seq:audit");
id_type!(ClientId, "seq:client");
id_type!(GrantId, "seq:grant");
id_type!(GroupId, "seq:group");
id_type!(PostId, "seq:post");
id_type!(CommentId, "seq:comment");
id_type!(ActivityId, "seq:activity");
id_type!(ReportId, "seq:report");
id_type!(EventId, "seq:event");
id_type!(FileId, "seq:file");
id_type!(FolderId, "seq:folder");
id_type!(SubscriptionId, "seq:push_subscription");
id_type!(DeliveryId, "seq:push_delivery");
id_type!(ProviderId, "seq:provider");
id_type!(ConnectionId, "seq:connection");
