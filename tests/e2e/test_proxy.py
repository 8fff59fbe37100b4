"""PROXY protocol v1/v2/auto, --proxy-allow-from, and --forwarded-allow-ips for scheme headers."""

import json
import socket
import struct

import pytest

from httpclient import build_request, parse_response, status_of

V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"
GET_ENV = build_request("GET", "/env")


def proxy_v1(proto="TCP4", src="192.168.0.1", dst="192.168.0.11", sport=56324, dport=443):
    return f"PROXY {proto} {src} {dst} {sport} {dport}\r\n".encode()


def proxy_v2(src="10.1.2.3", dst="10.9.8.7", sport=40000, dport=8443, command=1, version=2,
             family=socket.AF_INET, tlv=b""):
    if family == socket.AF_INET:
        fam_proto = 0x11                                   # INET + STREAM
        addrs = socket.inet_pton(socket.AF_INET, src) + socket.inet_pton(socket.AF_INET, dst)
    else:
        fam_proto = 0x21                                   # INET6 + STREAM
        addrs = socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst)
    payload = addrs + struct.pack("!HH", sport, dport) + tlv
    return (V2_SIGNATURE + bytes([(version << 4) | command, fam_proto])
            + struct.pack("!H", len(payload)) + payload)


def env_via(server, prefix, request=GET_ENV):
    resp = parse_response(server.raw(prefix + request))
    assert resp.status == 200, resp
    return json.loads(resp.body)


@pytest.fixture(scope="module")
def v1_server(module_server_factory):
    return module_server_factory("pep3333_app:application", "--proxy-protocol", "v1")


@pytest.fixture(scope="module")
def v2_server(module_server_factory):
    return module_server_factory("pep3333_app:application", "--proxy-protocol", "v2")


@pytest.fixture(scope="module")
def auto_server(module_server_factory):
    return module_server_factory("pep3333_app:application", "--proxy-protocol", "auto")


class TestProxyV1:
    def test_tcp4(self, v1_server):
        env = env_via(v1_server, proxy_v1())
        assert env["REMOTE_ADDR"] == "192.168.0.1"
        assert env["REMOTE_PORT"] == "56324"
        assert env["PROXY_PROTOCOL"] == "TCP4"
        assert env["PROXY_ADDR"] == "192.168.0.11"
        assert env["PROXY_PORT"] == "443"

    def test_tcp6(self, v1_server):
        env = env_via(v1_server, proxy_v1("TCP6", "2001:db8::1", "2001:db8::2", 1234, 80))
        assert env["REMOTE_ADDR"] == "2001:db8::1"
        assert env["REMOTE_PORT"] == "1234"
        assert env["PROXY_PROTOCOL"] == "TCP6"

    def test_proxy_header_is_optional(self, v1_server):
        env = env_via(v1_server, b"")
        assert env["REMOTE_ADDR"] == "127.0.0.1"
        assert "PROXY_PROTOCOL" not in env

    @pytest.mark.parametrize("line", [
        b"PROXY UNKNOWN\r\n",
        b"PROXY TCP4 192.168.0.1 192.168.0.11 56324\r\n",             # 5 fields
        b"PROXY TCP4 999.168.0.1 192.168.0.11 56324 443\r\n",         # bad address
        b"PROXY TCP4 2001:db8::1 192.168.0.11 56324 443\r\n",         # wrong family
        b"PROXY TCP4 192.168.0.1 192.168.0.11 65536 443\r\n",         # port out of range
        b"PROXY TCP4 192.168.0.1 192.168.0.11 -1 443\r\n",
        b"PROXY UDP4 192.168.0.1 192.168.0.11 1 443\r\n",
    ])
    def test_invalid_v1_line(self, v1_server, line):
        assert status_of(v1_server.raw(line + GET_ENV)) == 400


class TestProxyV2:
    def test_inet(self, v2_server):
        env = env_via(v2_server, proxy_v2())
        assert env["REMOTE_ADDR"] == "10.1.2.3"
        assert env["REMOTE_PORT"] == "40000"
        assert env["PROXY_ADDR"] == "10.9.8.7"
        assert env["PROXY_PORT"] == "8443"

    def test_inet6_with_tlv(self, v2_server):
        env = env_via(v2_server, proxy_v2("2001:db8::5", "2001:db8::6", 5555, 80,
                                          family=socket.AF_INET6, tlv=b"\x04\x00\x02hi"))
        assert env["REMOTE_ADDR"] == "2001:db8::5"
        assert env["REMOTE_PORT"] == "5555"

    def test_local_command(self, v2_server):
        header = V2_SIGNATURE + bytes([0x20, 0x00]) + struct.pack("!H", 0)
        # /raw/: Gunicorn leaves REMOTE_ADDR None for LOCAL, which the validator would refuse.
        env = env_via(v2_server, header, build_request("GET", "/raw/env"))
        assert env["PROXY_PROTOCOL"] == "LOCAL"

    def test_bad_version_nibble(self, v2_server):
        """InvalidProxyHeader is not in Gunicorn's 400 list: it answers 500 (observed quirk)."""
        status = status_of(v2_server.raw(proxy_v2(version=3) + GET_ENV))
        assert status in (400, 500)


class TestProxyAuto:
    def test_v1_v2_and_plain(self, auto_server):
        assert env_via(auto_server, proxy_v1())["REMOTE_ADDR"] == "192.168.0.1"
        assert env_via(auto_server, proxy_v2())["REMOTE_ADDR"] == "10.1.2.3"
        assert env_via(auto_server, b"")["REMOTE_ADDR"] == "127.0.0.1"


@pytest.mark.parametrize("mode, header", [("v1", proxy_v1()), ("v2", proxy_v2()),
                                          ("auto", proxy_v1())])
def test_untrusted_proxy_peer_gets_403(start_server, mode, header):
    server = start_server("pep3333_app:application", "--proxy-protocol", mode,
                          "--proxy-allow-from", "10.0.0.1")
    raw = server.raw(header + GET_ENV)
    assert status_of(raw) == 403, raw
    # Without a PROXY header the same peer is an ordinary client.
    assert server.request("GET", "/hello").status == 200


# ---------------------------------------------------------------------------------------------
# X-Forwarded-Proto and friends

def scheme(server, headers):
    return json.loads(server.request("GET", "/env", headers=headers).body)["wsgi.url_scheme"]


def test_forwarded_proto_ignored_from_untrusted_peer(start_server):
    server = start_server("pep3333_app:application", "--forwarded-allow-ips", "10.0.0.1")
    assert scheme(server, {"X-Forwarded-Proto": "https"}) == "http"
    # ...and untrusted conflicting headers are not an error either: they are ignored.
    assert server.request("GET", "/env", headers={"X-Forwarded-Proto": "https",
                                                  "X-Forwarded-Ssl": "off"}).status == 200


def test_forwarded_allow_ips_star(start_server):
    server = start_server("pep3333_app:application", "--forwarded-allow-ips", "*")
    assert scheme(server, {"X-Forwarded-Proto": "https"}) == "https"
    assert scheme(server, {"X-Forwarded-Ssl": "on"}) == "https"
    assert scheme(server, {"X-Forwarded-Protocol": "ssl"}) == "https"
    assert scheme(server, {}) == "http"


def test_forwarded_allow_ips_cidr(start_server):
    server = start_server("pep3333_app:application", "--forwarded-allow-ips", "127.0.0.0/8")
    assert scheme(server, {"X-Forwarded-Proto": "https"}) == "https"


def test_forwarded_allow_ips_from_environment(start_server):
    server = start_server("pep3333_app:application", env={"FORWARDED_ALLOW_IPS": "10.0.0.1"})
    assert scheme(server, {"X-Forwarded-Proto": "https"}) == "http"


def test_trusted_script_name_header(start_server):
    """SCRIPT_NAME is a forwarder header: accepted from a trusted peer despite the underscore."""
    server = start_server("pep3333_app:application")
    resp = server.request("GET", "/app/env", headers={"SCRIPT_NAME": "/app"})
    env = json.loads(resp.body) if resp.status == 200 else None
    assert resp.status == 200, resp
    assert env["SCRIPT_NAME"] == "/app"
    assert env["PATH_INFO"] == "/env"


def test_bad_forwarded_allow_ips_value(start_server):
    server = start_server("pep3333_app:application", "--forwarded-allow-ips", "not-an-ip",
                          wait=False)
    assert server.wait_exit() == 1
