"""TLS of the api-server's Ingress: each way to get a certificate reaches the chart's own values and
the rendered Ingress, prod refuses plain HTTP, and `[api] base_url` agrees with the scheme."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support.chart import chart_archive, compose, schema_errors
from tests.support.stacks import names_of, problem_at, problems, shipped_stack, stack

HOST = "airflow.example.com"
ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"


def ingress(**tls):
    return {"ingress": {"enabled": True, "host": HOST, "tls": tls}}


def alb(**tls):
    return {"ingress": {"enabled": True, "host": HOST, "className": "alb", "tls": tls}}


def api_server_ingress(cfg):
    values = compose(cfg)
    assert schema_errors(values) == []
    return values["ingress"]["apiServer"]


def rendered_ingress(cfg):
    from components.plan.render import render_chart

    names = names_of(cfg)
    text = render_chart(Path(chart_archive()), compose(cfg), names.release, names.namespace)
    [document] = [d for d in yaml.safe_load_all(text) if d and d["kind"] == "Ingress"]
    return document


def test_prod_refuses_an_ingress_without_tls_and_names_every_way_out():
    message = problem_at("prod", "kubernetes.ingress.tls", kubernetes=ingress())
    for key in (
        "kubernetes.ingress.tls.secretName",
        "kubernetes.ingress.tls.certManager.clusterIssuer",
        "kubernetes.ingress.tls.acmCertificateArn",
        "kubernetes.ingress.tls.terminatedUpstream",
    ):
        assert key in message
    # Below prod a plain-HTTP Ingress is allowed, and prod without an Ingress needs no TLS.
    stack("staging", kubernetes=ingress())
    stack("prod")


@pytest.mark.parametrize(
    "tls",
    [
        {"secretName": "airflow-tls"},
        {"certManager": {"clusterIssuer": "letsencrypt"}},
        {"terminatedUpstream": True},
    ],
)
def test_prod_accepts_each_way_to_terminate_tls(tls):
    stack("prod", kubernetes=ingress(**tls))


def test_prod_accepts_an_acm_certificate_on_an_alb():
    values = api_server_ingress(stack("prod", kubernetes=alb(acmCertificateArn=ARN)))
    assert values["ingressClassName"] == "alb"
    assert values["annotations"] == {
        "alb.ingress.kubernetes.io/certificate-arn": ARN,
        "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
        "alb.ingress.kubernetes.io/ssl-redirect": "443",
    }
    assert values["hosts"] == [{"name": HOST}]  # the ALB holds the certificate: no TLS Secret on the Ingress


def test_cert_manager_fills_the_kits_secret_for_the_host():
    values = api_server_ingress(stack("prod", kubernetes=ingress(certManager={"issuer": "airflow-ca"})))
    assert values["annotations"] == {"cert-manager.io/issuer": "airflow-ca"}
    assert values["hosts"] == [{"name": HOST, "tls": {"enabled": True, "secretName": "airflow-api-server-tls"}}]


def test_a_named_secret_covers_every_host_it_lists():
    extra = "airflow.internal.example.com"
    values = api_server_ingress(
        stack("prod", kubernetes=ingress(secretName="wildcard-example-com", hosts=[HOST, extra]))
    )
    assert values["hosts"] == [
        {"name": HOST, "tls": {"enabled": True, "secretName": "wildcard-example-com"}},
        {"name": extra, "tls": {"enabled": True, "secretName": "wildcard-example-com"}},
    ]


def test_free_form_annotations_reach_the_ingress_beside_the_kits():
    section = ingress(certManager={"clusterIssuer": "letsencrypt"})
    section["ingress"]["annotations"] = {"nginx.ingress.kubernetes.io/proxy-body-size": "16m"}
    values = api_server_ingress(stack("prod", kubernetes=section))
    assert values["annotations"] == {
        "nginx.ingress.kubernetes.io/proxy-body-size": "16m",
        "cert-manager.io/cluster-issuer": "letsencrypt",
    }


def test_the_kits_tls_annotations_cannot_be_overridden():
    section = ingress(certManager={"clusterIssuer": "letsencrypt"})
    section["ingress"]["annotations"] = {"cert-manager.io/cluster-issuer": "other"}
    message = problem_at("prod", "kubernetes.ingress.annotations.cert-manager.io/cluster-issuer", kubernetes=section)
    assert "kubernetes.ingress.tls.certManager.clusterIssuer" in message


@pytest.mark.parametrize(
    ("section", "key", "words"),
    [
        (ingress(secretName="Airflow_TLS"), "kubernetes.ingress.tls.secretName", "not a Kubernetes name"),
        (ingress(secretName="t", hosts=["airflow"]), "kubernetes.ingress.tls.hosts[0]", "not a DNS host name"),
        (ingress(secretName="t", hosts=["*.example.com"]), "kubernetes.ingress.tls.hosts[0]", "exact host name"),
        (ingress(secretName="t", hosts=["other.example.com"]), "kubernetes.ingress.tls.hosts", f"'{HOST}'"),
        (alb(acmCertificateArn="arn:aws:iam::123456789012:role/x"), "kubernetes.ingress.tls.acmCertificateArn", "ACM"),
        (ingress(acmCertificateArn=ARN), "kubernetes.ingress.tls.acmCertificateArn", "className to 'alb'"),
        (
            alb(acmCertificateArn=ARN.replace("eu-west-1", "us-east-1")),
            "kubernetes.ingress.tls.acmCertificateArn",
            "own region",
        ),
        (alb(secretName="airflow-tls"), "kubernetes.ingress.tls.secretName", "acmCertificateArn"),
        (ingress(certManager={}), "kubernetes.ingress.tls.certManager", "exactly one"),
        (
            ingress(certManager={"issuer": "a", "clusterIssuer": "b"}),
            "kubernetes.ingress.tls.certManager",
            "exactly one",
        ),
        (ingress(secretName="t", terminatedUpstream=True), "kubernetes.ingress.tls", "choose one way"),
        (
            {"ingress": {"enabled": True, "tls": {"secretName": "t"}}},
            "kubernetes.ingress.host",
            "certificate's host name",
        ),
        ({"ingress": {"enabled": False, "tls": {"secretName": "t"}}}, "kubernetes.ingress.tls.secretName", "no effect"),
        (
            {"ingress": {"enabled": True, "host": HOST, "annotations": {"bad key/x": "1"}}},
            "kubernetes.ingress.annotations",
            "not an annotation key",
        ),
    ],
)
def test_tls_mistakes_are_refused_at_the_key(section, key, words):
    assert words in problem_at("staging", key, kubernetes=section)


def test_acm_needs_aws():
    message = problem_at("local", "kubernetes.ingress.tls.acmCertificateArn", kubernetes=alb(acmCertificateArn=ARN))
    assert "AWS tier" in message


def test_a_stacks_own_base_url_must_agree_with_the_scheme():
    https = {"config": {"api": {"base_url": f"https://{HOST}"}}}
    message = problem_at("staging", "airflow.config.api.base_url", kubernetes=ingress(), airflow=https)
    assert "no TLS" in message
    http = {"config": {"api": {"base_url": f"http://{HOST}"}}}
    tls = ingress(secretName="airflow-tls")
    assert "use https://" in problem_at("staging", "airflow.config.api.base_url", kubernetes=tls, airflow=http)
    stack("staging", kubernetes=tls, airflow=https)
    assert not [
        key
        for key, _ in problems("staging", kubernetes=ingress(), airflow=https)
        if key != "airflow.config.api.base_url"
    ]


@pytest.mark.parametrize("stack_name", ["prod", "staging"])
def test_shipped_stacks_serve_the_ui_over_tls(stack_name):
    cfg = shipped_stack(stack_name)
    document = rendered_ingress(cfg)
    host = cfg.kubernetes.ingress.host
    assert document["spec"]["tls"] == [{"hosts": [host], "secretName": "airflow-api-server-tls"}]
    assert document["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "letsencrypt-prod"
    assert [rule["host"] for rule in document["spec"]["rules"]] == [host]


def test_the_rendered_alb_ingress_carries_the_certificate_and_the_redirect():
    document = rendered_ingress(stack("prod", kubernetes=alb(acmCertificateArn=ARN)))
    assert "tls" not in document["spec"]
    assert document["spec"]["ingressClassName"] == "alb"
    assert document["metadata"]["annotations"]["alb.ingress.kubernetes.io/certificate-arn"] == ARN
    assert document["metadata"]["annotations"]["alb.ingress.kubernetes.io/ssl-redirect"] == "443"


def test_the_plan_shows_how_users_reach_the_ui(capsys):
    from components.plan.cli import main

    assert main(["plan", "--stack", "prod"]) == 0
    text = capsys.readouterr().out
    ingress_part = text.split("Ingress:\n", 1)[1].split("\n\n", 1)[0]
    assert ingress_part.splitlines() == [
        "  class nginx",
        f"  host {HOST}: TLS from Secret airflow-api-server-tls",
        "  cert-manager.io/cluster-issuer: letsencrypt-prod",
    ]
    assert f"[api] base_url = https://{HOST}" in text
