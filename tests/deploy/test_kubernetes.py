"""The Kustomize overlays of deploy/k8s: rendered, validated against the Kubernetes and operator
schemas, and held to what the deployment promises (probes, autoscaling, disruption budgets,
network isolation, secrets by reference, migrations as a Job, the operators' clusters)."""

import json
import re
import shutil
import subprocess

import jsonschema
import kubernetes_validate
import pytest
import yaml

from chassis.publishers import USERS as BROKER_USERS
from chassis.publishers import broker_user
from chassis.settings import ServiceSettings

from .conftest import DEPLOY, OVERLAYS, by_kind_and_name, render

#: The oldest Kubernetes the manifests are for (the preStop sleep action is on by default from 1.30).
KUBERNETES = "1.30.0"
SERVICES = ["roster", "gradebook", "attendance", "notifications", "reporting", "gateway"]
OPERATOR_SCHEMAS = {
    ("postgresql.cnpg.io/v1", "Cluster"): "cnpg-cluster.json",
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): "cnpg-scheduledbackup.json",
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): "rabbitmqcluster.json",
}


def of_kind(resources, kind):
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def container(resource, name="service"):
    return next(c for c in resource["spec"]["template"]["spec"]["containers"] if c["name"] == name)


def _containers_of(resource) -> list[dict]:
    return resource["spec"]["template"]["spec"]["containers"]


def env(resource) -> dict:
    return {e["name"]: e for e in container(resource)["env"]}


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="no kubectl (with its kustomize) on this machine")
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_renderer_builds_what_kustomize_builds(overlay, rendered):
    built = subprocess.run(
        ["kubectl", "kustomize", str(DEPLOY / "k8s" / "overlays" / overlay)], capture_output=True, text=True, check=True
    ).stdout
    assert rendered[overlay] == by_kind_and_name([doc for doc in yaml.safe_load_all(built) if doc])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid_for_kubernetes_or_its_operator(overlay, rendered):
    for resource in rendered[overlay]:
        schema_file = OPERATOR_SCHEMAS.get((resource["apiVersion"], resource["kind"]))
        if schema_file:
            schema = json.loads((DEPLOY / "schemas" / schema_file).read_text())
            jsonschema.validate(resource, schema)
        else:
            kubernetes_validate.validate(resource, KUBERNETES, strict=True)


def test_the_operator_schemas_refuse_a_field_the_operator_does_not_have(rendered):
    cluster = dict(of_kind(rendered["production"], "Cluster")["gradebook-db"])
    cluster["spec"] = {**cluster["spec"], "replicas": 3}
    with pytest.raises(jsonschema.ValidationError, match="replicas"):
        jsonschema.validate(cluster, json.loads((DEPLOY / "schemas" / "cnpg-cluster.json").read_text()))


def test_the_renderer_refuses_a_kustomize_feature_it_does_not_know(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources: []\ncommonAnnotations: {team: journal}\n")
    with pytest.raises(ValueError, match="commonAnnotations"):
        render(tmp_path)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_has_an_api_a_worker_and_a_migration_job_from_one_template(overlay, rendered):
    deployments = of_kind(rendered[overlay], "Deployment")
    jobs = of_kind(rendered[overlay], "Job")
    for service in SERVICES:
        api, worker = deployments[f"{service}-api"], deployments[f"{service}-worker"]
        migrate = jobs[f"{service}-migrate"]
        for resource in (api, worker, migrate):
            pod = resource["spec"]["template"]
            assert pod["metadata"]["labels"]["app.kubernetes.io/name"] == service
            # The pods name their own service from that label, and read their own Secrets.
            assert env(resource)["DB_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == f"{service}-db-runtime"
            assert env(resource)["AMQP_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == f"{service}-broker-user"
            assert env(resource)["JOURNAL_MIGRATE_ON_START"]["value"] == "false"
            assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
            assert container(resource)["securityContext"]["readOnlyRootFilesystem"] is True
        assert container(api)["command"][:2] == ["uvicorn", "$(SERVICE).main:app"]
        assert env(api)["JOURNAL_RUN_RELAY"]["value"] == env(api)["JOURNAL_RUN_CONSUMERS"]["value"] == "false"
        assert "JOURNAL_RUN_RELAY" not in env(worker) and "JOURNAL_RUN_CONSUMERS" not in env(worker)
        assert container(migrate)["command"] == ["python", "-m", "chassis.migrations", "$(SERVICE).main:app"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_is_probed_autoscaled_and_covered_by_a_disruption_budget(overlay, rendered):
    resources = rendered[overlay]
    autoscalers = {
        h["spec"]["scaleTargetRef"]["name"]: h for h in of_kind(resources, "HorizontalPodAutoscaler").values()
    }
    budgets = of_kind(resources, "PodDisruptionBudget").values()
    for name, deployment in of_kind(resources, "Deployment").items():
        service = container(deployment)
        assert service["livenessProbe"]["httpGet"]["path"] == "/livez"
        assert service["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert "replicas" not in deployment["spec"], "the autoscaler owns the replica count"
        assert autoscalers[name]["spec"]["minReplicas"] >= 1
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        covering = [b for b in budgets if b["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()]
        assert len(covering) == 1, f"{name}: {len(covering)} disruption budgets"
    production = of_kind(rendered["production"], "HorizontalPodAutoscaler")
    assert all(h["spec"]["minReplicas"] >= 2 for h in production.values())


def _selects(selector: dict, labels: dict) -> bool:
    if not selector:
        return True
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    operators = {
        "In": lambda e: labels.get(e["key"]) in e["values"],
        "Exists": lambda e: e["key"] in labels,
        "DoesNotExist": lambda e: e["key"] not in labels,
    }
    return all(operators[e["operator"]](e) for e in selector.get("matchExpressions", []))


def _admits(policy: dict, labels: dict, port: int) -> bool:
    """The policy lets a pod of the namespace with ``labels`` in on ``port``."""
    return any(
        any(p["port"] == port for p in rule["ports"])
        and any(
            "podSelector" in peer and "namespaceSelector" not in peer and _selects(peer["podSelector"], labels)
            for peer in rule["from"]
        )
        for rule in policy["ingress"]
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_a_service_reaches_only_its_own_database_and_the_broker(overlay, rendered):
    resources = rendered[overlay]
    policies = of_kind(resources, "NetworkPolicy")
    for service in SERVICES:
        policy = policies[f"{service}-service"]["spec"]
        assert policy["policyTypes"] == ["Ingress", "Egress"]
        assert policy["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": service}
        # The service's pods, not its database's (they have a policy of their own, below).
        assert _selects(
            policy["podSelector"], {"app.kubernetes.io/name": service, "app.kubernetes.io/component": "api"}
        )
        assert not _selects(policy["podSelector"], {"app.kubernetes.io/name": service, "cnpg.io/cluster": "db"})
        database_rule = next(rule for rule in policy["egress"] if rule["ports"] == [{"port": 5432, "protocol": "TCP"}])
        peer = database_rule["to"][0]["podSelector"]
        # A database pod carries its service's label (CloudNativePG's inheritedMetadata).
        for other in SERVICES:
            cluster = of_kind(resources, "Cluster")[f"{other}-db"]
            pod_labels = {**cluster["spec"]["inheritedMetadata"]["labels"], "cnpg.io/podRole": "instance"}
            assert _selects(peer, pod_labels) == (other == service), (service, other)
        broker_rule = next(rule for rule in policy["egress"] if rule["ports"] == [{"port": 5671, "protocol": "TCP"}])
        assert _selects(broker_rule["to"][0]["podSelector"], {"app.kubernetes.io/name": "journal-broker"})
        # Only the gateway's API pods call a service (and the metrics scraper).
        callers = [peer["podSelector"] for rule in policy["ingress"] for peer in rule["from"] if "podSelector" in peer]
        gateway_api = {"app.kubernetes.io/name": "gateway", "app.kubernetes.io/component": "api"}
        assert any(_selects(selector, gateway_api) for selector in callers)
        if service != "gateway":
            assert not any(
                _selects(selector, {"app.kubernetes.io/name": other, "app.kubernetes.io/component": "api"})
                for selector in callers
                for other in SERVICES
                if other != "gateway"
            )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_a_database_is_reached_only_by_its_own_service_and_the_broker_only_by_the_journal(overlay, rendered):
    resources = rendered[overlay]
    policies = of_kind(resources, "NetworkPolicy")
    for service in SERVICES:
        policy = policies[f"{service}-database"]["spec"]
        instance = {
            **of_kind(resources, "Cluster")[f"{service}-db"]["spec"]["inheritedMetadata"]["labels"],
            "cnpg.io/cluster": f"{service}-db",
            "cnpg.io/podRole": "instance",
        }
        assert _selects(policy["podSelector"], instance)
        assert not _selects(
            policy["podSelector"], {"app.kubernetes.io/name": service, "app.kubernetes.io/component": "api"}
        )
        for other in SERVICES:
            for component in ("api", "worker", "migrate"):
                caller = {"app.kubernetes.io/name": other, "app.kubernetes.io/component": component}
                assert _admits(policy, caller, 5432) == (other == service), (service, other, component)
        # Replication between the instances; the operator's and the scraper's namespaces.
        assert _admits(policy, instance, 5432)
        namespaces = {
            value
            for rule in policy["ingress"]
            for peer in rule["from"]
            if "namespaceSelector" in peer
            for e in peer["namespaceSelector"]["matchExpressions"]
            for value in e["values"]
        }
        assert namespaces == {"cnpg-system", "monitoring"}
    broker = policies["journal-broker"]["spec"]
    assert _selects(broker["podSelector"], {"app.kubernetes.io/name": "journal-broker"})
    for service in SERVICES:
        for component in ("api", "worker", "migrate"):
            assert _admits(broker, {"app.kubernetes.io/name": service, "app.kubernetes.io/component": component}, 5671)
        assert not _admits(broker, {"app.kubernetes.io/name": service, "cnpg.io/cluster": f"{service}-db"}, 5671)
    assert not _admits(broker, {"app.kubernetes.io/name": "someone-else"}, 5671)
    assert not any(_admits(broker, {"app.kubernetes.io/name": "gateway"}, port) for port in (5672, 15672))
    for job in ("broker-definitions", "broker-users"):
        labels = of_kind(resources, "Job")[job]["spec"]["template"]["metadata"]["labels"]
        assert _admits(broker, labels, 15671)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_broker_connection_is_tls_checked_against_the_brokers_ca(overlay, rendered):
    resources = rendered[overlay]
    (cluster,) = of_kind(resources, "RabbitmqCluster").values()
    assert cluster["spec"]["tls"] == {"secretName": "journal-broker-tls", "disableNonTLSListeners": True}
    deployments, jobs = of_kind(resources, "Deployment"), of_kind(resources, "Job")

    def ca_mounted(resource, name) -> str:
        volumes = {v["name"]: v for v in resource["spec"]["template"]["spec"]["volumes"]}
        (mount,) = [m for m in container(resource, name)["volumeMounts"] if m["name"] == "broker-ca"]
        assert volumes["broker-ca"]["secret"]["secretName"] == "journal-broker-tls"
        return mount["mountPath"] + "/ca.crt"

    for service in SERVICES:
        for resource in (deployments[f"{service}-api"], deployments[f"{service}-worker"], jobs[f"{service}-migrate"]):
            url = effective_env(resource, resources)["JOURNAL_AMQP_URL"]
            assert url.startswith(f"amqps://journal_{service}:") and "@journal-broker:5671/" in url
            assert url.endswith(f"?cafile={ca_mounted(resource, 'service')}")
    users = jobs["broker-users"]
    assert container(users, "provision")["command"][-1] == "https://journal-broker:15671"
    assert effective_env(users, resources, "provision")["SSL_CERT_FILE"] == ca_mounted(users, "provision")
    definitions = jobs["broker-definitions"]
    command = container(definitions, "import")["command"][-1]
    assert "-P 15671 --ssl" in command and f"--ssl-ca-cert-file={ca_mounted(definitions, 'import')}" in command


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_are_referenced_never_written_in_the_manifests(overlay, rendered):
    assert not of_kind(rendered[overlay], "Secret")
    text = json.dumps(rendered[overlay]).casefold()
    assert "password=" not in text and "begin private key" not in text


def test_production_runs_three_database_instances_with_wal_archiving_and_three_broker_nodes(rendered):
    resources = rendered["production"]
    clusters = of_kind(resources, "Cluster")
    assert sorted(clusters) == sorted(f"{s}-db" for s in SERVICES)
    for cluster in clusters.values():
        assert cluster["spec"]["instances"] == 3
        assert cluster["spec"]["backup"]["barmanObjectStore"]["destinationPath"]
        assert cluster["spec"]["postgresql"]["parameters"]["archive_timeout"] == "5min"
    backed_up = {b["spec"]["cluster"]["name"] for b in of_kind(resources, "ScheduledBackup").values()}
    assert backed_up == set(clusters)
    (broker,) = of_kind(resources, "RabbitmqCluster").values()
    assert broker["spec"]["replicas"] == 3
    images = {c["image"] for d in of_kind(resources, "Deployment").values() for c in _containers_of(d)}
    assert images == {"registry.region.example/journal:0.1.0"}
    config = of_kind(resources, "ConfigMap")
    assert config["journal-config"]["data"]["JOURNAL_PROFILE"] == "production"
    assert config["gateway-config"]["data"]["JOURNAL_PUBLIC_URL"].startswith("https://")


def test_the_broker_definitions_come_from_the_events_issue_file(rendered):
    for overlay in OVERLAYS:
        definitions = of_kind(rendered[overlay], "ConfigMap")["rabbitmq-definitions"]
        assert definitions["data"]["definitions.json"] == (DEPLOY / "rabbitmq" / "definitions.json").read_text()
        job = of_kind(rendered[overlay], "Job")["broker-definitions"]
        assert job["spec"]["template"]["spec"]["volumes"][0]["configMap"]["name"] == "rabbitmq-definitions"


def test_the_dev_overlay_runs_the_esia_sandbox_beside_a_single_gateway(rendered):
    resources = rendered["dev"]
    gateway = of_kind(resources, "Deployment")["gateway-api"]
    assert container(gateway, "esia-sandbox")["command"][1] == "esia_sandbox.main:app"
    assert of_kind(resources, "HorizontalPodAutoscaler")["gateway-api"]["spec"]["maxReplicas"] == 1
    assert of_kind(resources, "ConfigMap")["gateway-config"]["data"]["JOURNAL_ESIA_URL"] == "http://127.0.0.1:8010"
    assert not any("esia-sandbox" in str(r) for r in rendered["production"])


def effective_env(resource: dict, resources: list[dict], name: str = "service") -> dict[str, str]:
    """What the container's process sees: its ConfigMaps, then its env in order with ``$(NAME)`` expanded as
    Kubernetes does; a Secret's value stands as ``<secret>.<key>``."""
    maps = of_kind(resources, "ConfigMap")
    values: dict[str, str] = {}
    for source in container(resource, name).get("envFrom", []):
        values |= maps[source["configMapRef"]["name"]]["data"]
    labels = resource["spec"]["template"].get("metadata", {}).get("labels", {})
    for entry in container(resource, name)["env"]:
        if "value" in entry:
            values[entry["name"]] = re.sub(r"\$\((\w+)\)", lambda m: values.get(m[1], m[0]), entry["value"])
        elif "secretKeyRef" in entry["valueFrom"]:
            ref = entry["valueFrom"]["secretKeyRef"]
            values[entry["name"]] = f"{ref['name']}.{ref['key']}"
        else:
            label = re.fullmatch(r"metadata\.labels\['(.+)'\]", entry["valueFrom"]["fieldRef"]["fieldPath"])[1]
            values[entry["name"]] = labels[label]
    return values


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_runs_as_its_own_database_role_and_broker_user_and_passes_the_production_checks(
    overlay, rendered, monkeypatch
):
    """Least privilege (docs/security.md): the pods connect as journal_<service>, which owns nothing; only the
    migration job has the owner's password; each part has its own RabbitMQ user and checks the publishers. The
    production profile's own checks (``ServiceSettings.platform_problems``) find nothing to refuse."""
    resources = rendered[overlay]
    deployments, jobs = of_kind(resources, "Deployment"), of_kind(resources, "Job")
    for service in SERVICES:
        for resource in (deployments[f"{service}-api"], deployments[f"{service}-worker"], jobs[f"{service}-migrate"]):
            process_env = effective_env(resource, resources)
            for name in [n for n in process_env if n.startswith("JOURNAL_")]:
                monkeypatch.setenv(name, process_env[name])
            settings = ServiceSettings(profile="production", service_name=service)
            assert settings.platform_problems() == [], (resource["metadata"]["name"], settings.platform_problems())
            assert (settings.db_role, settings.db_owner_role) == (f"journal_{service}", f"journal_{service}_owner")
            assert f"{service}-db-runtime.password" in settings.database_url
            assert broker_user(settings.amqp_url) == f"journal_{service}"
            assert f"{service}-broker-user.password" in settings.amqp_url
            assert settings.verify_publishers is True
            owner = process_env.get("JOURNAL_DB_OWNER_PASSWORD")
            is_migration = resource["kind"] == "Job"
            assert owner == (f"{service}-db-owner.password" if is_migration else None), resource["metadata"]["name"]
            for name in [n for n in process_env if n.startswith("JOURNAL_")]:
                monkeypatch.delenv(name)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_database_has_an_owner_role_and_a_runtime_role_without_privileges(overlay, rendered):
    clusters = of_kind(rendered[overlay], "Cluster")
    for service in SERVICES:
        spec = clusters[f"{service}-db"]["spec"]
        assert spec["bootstrap"]["initdb"] == {
            "database": "journal",
            "owner": f"journal_{service}_owner",
            "secret": {"name": f"{service}-db-owner"},
        }
        (runtime,) = spec["managed"]["roles"]
        assert (runtime["name"], runtime["passwordSecret"]["name"]) == (f"journal_{service}", f"{service}-db-runtime")
        assert runtime["login"] is True
        assert not any(runtime[flag] for flag in ("superuser", "createdb", "createrole", "bypassrls"))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_broker_users_job_makes_every_services_user_from_its_own_secret(overlay, rendered):
    job = of_kind(rendered[overlay], "Job")["broker-users"]
    process_env = effective_env(job, rendered[overlay], "provision")
    assert container(job, "provision")["command"][:4] == ["python", "-m", "chassis.publishers", "provision"]
    # Each part's user and the state portal's (docs/portal.md).
    for service in BROKER_USERS:
        assert process_env[f"JOURNAL_BROKER_PASSWORD_{service.upper()}"] == f"{service}-broker-user.password"
    assert process_env["JOURNAL_VERIFY_PUBLISHERS"] == "true"
