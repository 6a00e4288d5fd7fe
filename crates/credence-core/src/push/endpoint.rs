//! Which push endpoints a subscription may name, and how they are reached.
//!
//! An endpoint is a URL that whoever holds an app token chooses, and this server POSTs to it:
//! unchecked, that is a way to make the server send requests into the operator's own network
//! (a database port, a cloud metadata address). So, unless `PushOptions::private_endpoints` is
//! on (tests), an endpoint must be `https`, and every address it resolves to must be public:
//! checked when it is subscribed (an address written in the URL) and again, by the resolver
//! the sender uses, each time it is sent to (a name that resolves elsewhere later).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::{Host, Url};

use crate::kernel::{CoreError, CoreResult};

/// Longer URLs are not push endpoints (Mozilla's and Google's are under 300 characters).
const MAX_LENGTH: usize = 2048;

/// Reads a subscription's endpoint, refusing what the sender would not send to.
pub(super) fn parse(raw: &str, private_endpoints: bool) -> CoreResult<Url> {
    let invalid = |message: &str| CoreError::invalid("endpoint", message);
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(invalid("The push endpoint is missing"));
    }
    if raw.len() > MAX_LENGTH {
        return Err(invalid(
            "The push endpoint is longer than any push service's URL",
        ));
    }
    let url = Url::parse(raw).map_err(|_| invalid("The push endpoint is not a web address"))?;
    match url.scheme() {
        "https" => {}
        "http" if private_endpoints => {}
        _ => return Err(invalid("The push endpoint must be an https:// address")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "The push endpoint may not carry a user name or password",
        ));
    }
    let literal = match url.host() {
        None => return Err(invalid("The push endpoint has no host")),
        Some(Host::Domain(_)) => None,
        Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
    };
    if let Some(ip) = literal {
        if !private_endpoints && !is_public(ip) {
            return Err(invalid(
                "The push endpoint must be on the public internet, not a local or private address",
            ));
        }
    }
    Ok(url)
}

/// Whether an address is on the public internet: not loopback, private (RFC 1918, unique
/// local), link-local, site-local, carrier-grade NAT, IETF protocol assignments,
/// documentation, benchmarking, discard, multicast, broadcast or unspecified. IPv6 forms that
/// carry an IPv4 address (mapped, compatible, SIIT) or reach one through a translator (NAT64:
/// on an IPv6-only host `64:ff9b::a00:1` reaches 10.0.0.1) are judged by that address; 6to4
/// and Teredo tunnels are refused.
pub(super) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match carried_ipv4(v6) {
            Some(v4) => !v6.is_loopback() && !v6.is_unspecified() && is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    !(v4.is_private()
        || v4.is_loopback()
        || v4.is_link_local()
        || v4.is_broadcast()
        || v4.is_documentation()
        || v4.is_unspecified()
        || v4.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

/// The IPv4 address in the last 32 bits of an address that carries one.
fn carried_ipv4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let compatible_or_mapped = s[..5] == [0; 5] && (s[5] == 0 || s[5] == 0xffff);
    let siit = s[..4] == [0; 4] && s[4] == 0xffff && s[5] == 0;
    let nat64 = s[0] == 0x64 && s[1] == 0xff9b;
    (compatible_or_mapped || siit || nat64).then(|| {
        let [.., a, b, c, d] = v6.octets();
        Ipv4Addr::new(a, b, c, d)
    })
}

fn is_public_v6(v6: Ipv6Addr) -> bool {
    let s = v6.segments();
    !(v6.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xffc0) == 0xfec0
        || s[0] == 0x2002
        || (s[0] == 0x2001 && (s[1] == 0 || s[1] == 0x0db8))
        || (s[0] == 0x100 && s[1..4] == [0; 3]))
}

/// The sender's resolver when only public addresses may be reached: the system's answer, with
/// every other address dropped (a name with none left fails to connect, and is retried).
#[derive(Debug, Default)]
pub(super) struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("{} has no public address", name.as_str()).into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_https_endpoints_are_taken_unless_private_ones_are_allowed() {
        let ok = "https://updates.push.services.mozilla.com/wpush/v2/gAAAA";
        assert!(parse(ok, false).is_ok());
        for refused in [
            "",
            "not a url",
            "ftp://push.example/x",
            "http://push.example/x",
            "https://user:pw@push.example/x",
            "https://127.0.0.1/x",
            "https://10.1.2.3/x",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/x",
            "https://[fd00::1]/x",
            "https://[::ffff:192.168.0.1]/x",
            "https://100.64.0.1/x",
        ] {
            assert!(parse(refused, false).is_err(), "{refused} was taken");
        }
        assert!(parse("http://127.0.0.1:8080/x", true).is_ok());
        assert!(parse("ftp://127.0.0.1/x", true).is_err());
        let long = format!("https://push.example/{}", "a".repeat(MAX_LENGTH));
        assert!(parse(&long, false).is_err());
    }

    #[test]
    fn public_addresses_are_told_from_private_ones() {
        for public in [
            "8.8.8.8",
            "142.250.1.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2a00:1450::1",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
        for private in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.1.1",
            "0.0.0.0",
            "100.100.0.1",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "192.0.0.8",
            "64:ff9b::a00:1",
            "64:ff9b:1::a9fe:a9fe",
            "::10.0.0.1",
            "::ffff:0:10.0.0.1",
            "2002:a00:1::1",
            "2001:0:4136:e378::1",
            "fec0::1",
            "100::1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_of_loopback_and_private_addresses() {
        use reqwest::dns::Resolve;
        let refused = PublicOnly
            .resolve("localhost".parse().unwrap())
            .await
            .err()
            .expect("localhost resolves only to loopback");
        assert!(
            refused.to_string().contains("no public address"),
            "{refused}"
        );
    }
}
