//! Where the server may call out to (DESIGN.md "Outbound calls"): `https`
//! URLs whose host resolves only to public addresses. An application
//! registers the endpoint, so without this rule it could make the server
//! call its internal network. The rule is checked when a subscription is
//! registered and again by the HTTP client's resolver at send time, and the
//! client connects to the very addresses that passed (no second lookup
//! that could answer differently). `outbound_allow_private` lifts it for
//! tests and local setups: plain `http` and any address.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use url::Url;

/// Why a target is refused; the message is shown to the application.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("must be an https URL")]
    NotHttps,
    #[error("must be an absolute URL with a host name")]
    NoHost,
    #[error("its host name does not resolve")]
    Unresolved,
    #[error("its host resolves to an address that is not public ({0})")]
    NotPublic(IpAddr),
}

/// Whether calls to `ip` are refused: loopback, private (RFC 1918),
/// carrier-grade NAT, link-local, unique-local, multicast, unspecified,
/// documentation and other special-purpose ranges, and IPv4 written inside
/// IPv6 that lands on one of them.
pub fn forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link local fe80::/10
                || (s[0] & 0xffc0) == 0xfec0 // site local (deprecated) fec0::/10
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x0064 && s[1] == 0xff9b) // NAT64, embeds IPv4
                || s[0] == 0x2002 // 6to4, embeds IPv4
                || (s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] == 0 && s[4] == 0 && s[5] == 0) // IPv4-compatible
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, _, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_unspecified()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240 // reserved
}

/// Checks a URL's form: `https` (or `http` when private targets are
/// allowed) with a host.
pub fn check_url(raw: &str, allow_private: bool) -> Result<Url, TargetError> {
    let url = Url::parse(raw).map_err(|_| TargetError::NoHost)?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(TargetError::NotHttps),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(TargetError::NoHost);
    }
    Ok(url)
}

/// Keeps the addresses that may be called; refuses when none is left.
pub fn filter(addrs: Vec<SocketAddr>, allow_private: bool) -> Result<Vec<SocketAddr>, TargetError> {
    if addrs.is_empty() {
        return Err(TargetError::Unresolved);
    }
    if allow_private {
        return Ok(addrs);
    }
    // Any forbidden answer refuses the name: a name that resolves to both
    // a public and an internal address is not one to trust.
    if let Some(bad) = addrs.iter().find(|a| forbidden(a.ip())) {
        return Err(TargetError::NotPublic(bad.ip()));
    }
    Ok(addrs)
}

/// Resolves `host` (a literal address resolves to itself) and applies
/// `filter`.
pub async fn resolve(host: &str, port: u16, allow_private: bool) -> Result<Vec<SocketAddr>, TargetError> {
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    let addrs = match literal.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host, port)).await.map_err(|_| TargetError::Unresolved)?.collect(),
    };
    filter(addrs, allow_private)
}

/// The whole check of a URL as registration does it.
pub async fn check(raw: &str, allow_private: bool) -> Result<Url, TargetError> {
    let url = check_url(raw, allow_private)?;
    let host = url.host_str().unwrap_or_default().to_string();
    resolve(&host, url.port_or_known_default().unwrap_or(443), allow_private).await?;
    Ok(url)
}

/// The HTTP client's resolver: every connection the push client makes
/// goes through it, so the addresses it connects to are those checked.
#[derive(Clone)]
pub struct CheckedResolver {
    pub allow_private: bool,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            // The port is set by the client from the URL; 0 here.
            let addrs = resolve(&host, 0, allow)
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { Box::new(e) })?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv6Addr;

    fn is_loopback(ip: IpAddr) -> bool {
        ip == IpAddr::V4(Ipv4Addr::LOCALHOST) || ip == IpAddr::V6(Ipv6Addr::LOCALHOST)
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_forbidden_public_ones_are_not() {
        for bad in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2002:a00:1::",
        ] {
            assert!(forbidden(ip(bad)), "{bad} must be refused");
        }
        for good in ["93.184.216.34", "172.32.0.1", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"] {
            assert!(!forbidden(ip(good)), "{good} is public");
        }
    }

    #[test]
    fn urls_must_be_https_with_a_host_unless_private_is_allowed() {
        assert_eq!(check_url("http://push.example/x", false), Err(TargetError::NotHttps));
        assert_eq!(check_url("ftp://push.example/x", true), Err(TargetError::NotHttps));
        assert_eq!(check_url("not a url", false), Err(TargetError::NoHost));
        assert!(check_url("https://push.example/x", false).is_ok());
        assert!(check_url("http://127.0.0.1:8080/x", true).is_ok());
    }

    #[test]
    fn one_internal_answer_refuses_the_name() {
        let a = |s: &str| SocketAddr::new(ip(s), 443);
        assert_eq!(filter(vec![], false), Err(TargetError::Unresolved));
        assert_eq!(filter(vec![a("8.8.8.8"), a("10.0.0.1")], false), Err(TargetError::NotPublic(ip("10.0.0.1"))));
        assert_eq!(filter(vec![a("8.8.8.8")], false), Ok(vec![a("8.8.8.8")]));
        assert_eq!(filter(vec![a("10.0.0.1")], true), Ok(vec![a("10.0.0.1")]));
    }

    #[tokio::test]
    async fn literals_and_names_are_resolved_before_the_rule() {
        assert_eq!(check("https://127.0.0.1/push", false).await, Err(TargetError::NotPublic(ip("127.0.0.1"))));
        assert_eq!(check("https://[::1]:8443/push", false).await, Err(TargetError::NotPublic(ip("::1"))));
        // `localhost` resolves (from /etc/hosts) to loopback.
        assert!(
            matches!(check("https://localhost/push", false).await, Err(TargetError::NotPublic(a)) if is_loopback(a))
        );
        assert!(check("http://127.0.0.1:9/push", true).await.is_ok());
    }
}
