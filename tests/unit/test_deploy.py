"""The production front's configuration: nginx accepts what we render, with and without TLS, and
the instances it fronts share the stores and differ only in their ports."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bot import deploy
from bot.config import Settings
from bot.web.gate import BODY_CAPS

WEBS = ["127.0.0.1:9101", "10.0.0.3:8080"]


@pytest.fixture
def shared(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings,
        database_url="postgresql://postgres@127.0.0.1:5432/zhoushan",
        redis_url="redis://127.0.0.1:6379/0",
    )


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "zhoushan.test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert, private = folder / "cert.pem", folder / "key.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, private


def test_plain_configuration_passes_nginx_check(shared: Settings) -> None:
    path = deploy.write_nginx(shared, WEBS)
    text = path.read_text()
    assert "listen 127.0.0.1:8000;" in text and "ssl" not in text
    assert text.count("server 127.0.0.1:9101 max_fails=3") == 2
    assert text.count("server 10.0.0.3:8080 max_fails=3") == 2
    assert "hash $conversation_key consistent;" in text
    assert "set_real_ip_from" not in text


def test_every_body_cap_of_the_web_service_is_enforced_in_front(shared: Settings) -> None:
    text = deploy.render_nginx(shared, WEBS, shared.var_dir)
    for prefix, cap in BODY_CAPS:
        location = (
            f"location = {prefix} {{" if prefix == "/api/chat" else f"location ^~ {prefix} {{"
        )
        block = text.split(location, 1)[1].split("}", 1)[0]
        assert f"client_max_body_size {cap // 1000}k;" in block, prefix
    assert "client_max_body_size 1m;" in text


def test_tls_configuration_passes_nginx_check_and_redirects(shared: Settings, tmp_path) -> None:
    cert, key = self_signed(tmp_path)
    secure = dataclasses.replace(shared, proxy_tls_cert=str(cert), proxy_tls_key=str(key))
    text = deploy.write_nginx(secure, WEBS).read_text()
    assert "listen 127.0.0.1:8443 ssl;" in text
    assert "return 301 https://$host:8443$request_uri;" in text
    assert f"ssl_certificate {cert};" in text


def test_trusted_proxies_are_only_those_configured(shared: Settings) -> None:
    trusting = dataclasses.replace(shared, proxy_trusted="10.0.0.0/8, 192.168.1.5")
    text = deploy.render_nginx(trusting, WEBS, shared.var_dir)
    assert "set_real_ip_from 10.0.0.0/8;" in text and "set_real_ip_from 192.168.1.5;" in text
    assert "real_ip_header X-Forwarded-For;" in text


def test_a_broken_template_is_refused_with_nginx_reason(shared: Settings, monkeypatch) -> None:
    monkeypatch.setattr(deploy, "REQUEST_MAX_SIZE", "lots")
    with pytest.raises(deploy.DeployError, match="nginx"):
        deploy.write_nginx(shared, WEBS)


def test_instances_differ_only_in_ports_and_own_rasa(shared: Settings) -> None:
    second = deploy.instance_settings(shared, 2)
    assert (second.rasa_port, second.actions_port, second.web_port) == (
        shared.rasa_port + 1,
        shared.actions_port + 1,
        shared.web_port + 1,
    )
    assert second.rasa_url == f"http://127.0.0.1:{shared.rasa_port + 1}"
    assert second.proxies_count == 1
    assert (second.database_url, second.redis_url, second.secret_key) == (
        shared.database_url,
        shared.redis_url,
        shared.secret_key,
    )


def test_instances_need_shared_stores(settings: Settings) -> None:
    with pytest.raises(deploy.DeployError, match="PostgreSQL"):
        deploy.check_shared(settings)
    with pytest.raises(deploy.DeployError, match="Redis"):
        deploy.check_shared(dataclasses.replace(settings, database_url="postgresql://x/y"))


def test_each_instance_calls_its_own_action_server(shared: Settings, tmp_path) -> None:
    services = deploy.instance_services(shared, tmp_path / "model.tar.gz", 3)
    assert [s.name for s in services] == ["actions-3", "web-3", "rasa-3", "monitor-3"]
    assert services[-1].ready_file != deploy.instance_services(shared, tmp_path / "m", 2)[-1].ready_file
    endpoints = (shared.var_dir / "instances" / "3" / "endpoints.yml").read_text()
    assert f"127.0.0.1:{shared.actions_port + 2}/webhook" in endpoints
