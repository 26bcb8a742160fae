//! Where a request came from: the peer address, or what a trusted proxy says
//! in `X-Forwarded-For` / `X-Forwarded-Proto`. Nothing else believes those
//! headers (actix's own `connection_info` would, so it is not used).

use actix_web::HttpRequest;
use ipnet::IpNet;
use std::net::IpAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conn {
    pub ip: IpAddr,
    pub https: bool,
}

fn trusted(ip: IpAddr, proxies: &[IpNet]) -> bool {
    proxies.iter().any(|n| n.contains(&ip))
}

/// Pure rule: walk `X-Forwarded-For` from the right past trusted proxies.
pub fn resolve(
    peer: IpAddr,
    tls: bool,
    forwarded_for: Option<&str>,
    forwarded_proto: Option<&str>,
    proxies: &[IpNet],
) -> Conn {
    if !trusted(peer, proxies) {
        return Conn { ip: peer, https: tls };
    }
    let mut ip = peer;
    if let Some(list) = forwarded_for {
        for hop in list.rsplit(',') {
            match hop.trim().parse::<IpAddr>() {
                Ok(addr) => {
                    ip = addr;
                    if !trusted(addr, proxies) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
    }
    let https = match forwarded_proto.and_then(|p| p.split(',').next()) {
        Some(p) => p.trim().eq_ignore_ascii_case("https"),
        None => tls,
    };
    Conn { ip, https }
}

pub fn of(req: &HttpRequest, proxies: &[IpNet]) -> Conn {
    let peer = req.peer_addr().map(|a| a.ip()).unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let h = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    resolve(peer, req.app_config().secure(), h("x-forwarded-for"), h("x-forwarded-proto"), proxies)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(s: &[&str]) -> Vec<IpNet> {
        s.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn untrusted_peer_headers_are_ignored() {
        let c = resolve("203.0.113.9".parse().unwrap(), false, Some("1.2.3.4"), Some("https"), &nets(&["10.0.0.0/8"]));
        assert_eq!(c, Conn { ip: "203.0.113.9".parse().unwrap(), https: false });
    }

    #[test]
    fn trusted_proxy_chain_gives_first_untrusted_hop() {
        let c = resolve(
            "10.0.0.2".parse().unwrap(),
            false,
            Some("6.6.6.6, 198.51.100.7, 10.0.0.5"),
            Some("https"),
            &nets(&["10.0.0.0/8"]),
        );
        assert_eq!(c, Conn { ip: "198.51.100.7".parse().unwrap(), https: true });
    }

    #[test]
    fn garbage_stops_the_walk() {
        let c = resolve("10.0.0.2".parse().unwrap(), true, Some("nonsense"), None, &nets(&["10.0.0.0/8"]));
        assert_eq!(c, Conn { ip: "10.0.0.2".parse().unwrap(), https: true });
    }
}
