"""Fixtures for the deploy tests, and the Kustomize subset the manifests in deploy/k8s use.

Kustomize itself is no package of Debian's, PyPI's or npm's (Debian's kubectl 1.20 carries a
kustomize too old for ``labels`` and regex targets), so ``render`` builds a kustomization the
way Kustomize 5 does for the features used here: ``resources`` (files and directories),
``namePrefix``, ``namespace``, ``labels`` (with ``includeSelectors``), ``configurations``
(extra label paths), ``patches`` (JSON 6902 and strategic merge, with ``target``), ``images``
and ``configMapGenerator`` (``disableNameSuffixHash``). Anything else in a kustomization is
refused, so a manifest can't quietly use a feature this renderer would skip. Where a real
``kubectl`` is installed, test_kubernetes.py checks that both render the same objects.
"""

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
OVERLAYS = ("dev", "production")

Resource = dict[str, Any]

KNOWN_FIELDS = {
    "apiVersion",
    "kind",
    "resources",
    "namePrefix",
    "namespace",
    "labels",
    "configurations",
    "patches",
    "images",
    "configMapGenerator",
    "generatorOptions",
}

#: Where Kustomize writes ``labels`` with ``includeSelectors`` (its commonLabels field specs),
#: for the kinds used here: (kind, path, create-if-missing).
SELECTOR_LABEL_PATHS = [
    ("Deployment", "spec/selector/matchLabels", True),
    ("Deployment", "spec/template/metadata/labels", True),
    ("Job", "spec/template/metadata/labels", True),
    ("Service", "spec/selector", True),
    ("PodDisruptionBudget", "spec/selector/matchLabels", False),
    ("NetworkPolicy", "spec/podSelector/matchLabels", False),
    ("NetworkPolicy", "spec/ingress/from/podSelector/matchLabels", False),
    ("NetworkPolicy", "spec/egress/to/podSelector/matchLabels", False),
]
#: References Kustomize renames along with ``namePrefix``: (kind, path, kind referred to).
NAME_REFERENCES = [
    ("HorizontalPodAutoscaler", "spec/scaleTargetRef/name", "Deployment"),
    ("Ingress", "spec/rules/http/paths/backend/service/name", "Service"),
    ("Ingress", "spec/defaultBackend/service/name", "Service"),
]


def _load(path: Path) -> list[Resource]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _walk(node: Any, parts: list[str], create: bool) -> list[dict]:
    """The maps at ``parts`` under ``node``; lists are stepped through item by item."""
    if isinstance(node, list):
        return [found for item in node for found in _walk(item, parts, create)]
    if not isinstance(node, dict):
        return []
    if not parts:
        return [node]
    head, rest = parts[0], parts[1:]
    if head not in node or node[head] is None:
        if not create:
            return []
        node[head] = {}
    return _walk(node[head], rest, create)


def _set_at(node: Any, parts: list[str], update: Any) -> None:
    """Replace the value at ``parts`` (through lists) by ``update(old)``."""
    if isinstance(node, list):
        for item in node:
            _set_at(item, parts, update)
        return
    if not isinstance(node, dict) or parts[0] not in node:
        return
    if len(parts) == 1:
        node[parts[0]] = update(node[parts[0]])
    else:
        _set_at(node[parts[0]], parts[1:], update)


def _pointer(path: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in path.lstrip("/").split("/")]


def _apply_json6902(resource: Resource, operations: list[dict]) -> None:
    for operation in operations:
        *parents, last = _pointer(operation["path"])
        node: Any = resource
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        op = operation["op"]
        if isinstance(node, list):
            index = len(node) if last == "-" else int(last)
            if op == "add":
                node.insert(index, copy.deepcopy(operation["value"]))
            elif op == "replace":
                node[index] = copy.deepcopy(operation["value"])
            elif op == "remove":
                del node[index]
            else:
                raise ValueError(f"unsupported JSON patch operation {op}")
        else:
            if op == "replace" and last not in node:
                raise KeyError(f"replace of a missing path {operation['path']}")
            if op in ("add", "replace"):
                node[last] = copy.deepcopy(operation["value"])
            elif op == "remove":
                del node[last]
            else:
                raise ValueError(f"unsupported JSON patch operation {op}")


def _strategic_merge(target: Any, patch: Any) -> Any:
    """Maps merge key by key; lists of named items (containers, env, volumes) merge by name, new ones first."""
    if isinstance(target, dict) and isinstance(patch, dict):
        merged = dict(target)
        for key, value in patch.items():
            merged[key] = _strategic_merge(target[key], value) if key in target else copy.deepcopy(value)
        return merged
    named = isinstance(patch, list) and patch and all(isinstance(item, dict) and "name" in item for item in patch)
    if named and isinstance(target, list):
        patched = {item["name"]: item for item in patch}
        kept = [_strategic_merge(old, patched[old["name"]]) if old.get("name") in patched else old for old in target]
        known = {old.get("name") for old in target}
        return [copy.deepcopy(item) for item in patch if item["name"] not in known] + kept
    return copy.deepcopy(patch)


def _matches(resource: Resource, target: dict) -> bool:
    for field, value in target.items():
        actual = resource["kind"] if field == "kind" else resource["metadata"]["name"] if field == "name" else None
        if field not in ("kind", "name"):
            raise ValueError(f"unsupported patch target field {field}")
        if not re.fullmatch(value, actual):
            return False
    return True


def _patch(resources: list[Resource], entry: dict, root: Path) -> None:
    text = (root / entry["path"]).read_text() if "path" in entry else entry["patch"]
    body = yaml.safe_load(text)
    target = entry.get("target") or {"kind": body["kind"], "name": body["metadata"]["name"]}
    hits = [r for r in resources if _matches(r, target)]
    if not hits:
        raise ValueError(f"patch in {root} matches nothing: {target}")
    for index, resource in enumerate(resources):
        if resource in hits:
            if isinstance(body, list):
                _apply_json6902(resource, body)
            else:
                patch = {k: v for k, v in body.items() if k not in ("apiVersion", "kind", "metadata")}
                resources[index] = _strategic_merge(resource, patch)


def _config_map(entry: dict, root: Path) -> Resource:
    data: dict[str, str] = {}
    for literal in entry.get("literals", []):
        key, _, value = literal.partition("=")
        data[key] = value
    for file in entry.get("files", []):
        data[Path(file).name] = (root / file).read_text()
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": entry["name"]}, "data": data}


def render(root: Path) -> list[Resource]:
    """The objects ``kustomize build root`` prints (in another order)."""
    return _build(root)[0]


def _build(root: Path) -> tuple[list[Resource], list[tuple[str, str, bool]]]:
    """The objects, and the label paths of ``configurations`` here and in the bases (Kustomize merges them)."""
    kustomization = yaml.safe_load((root / "kustomization.yaml").read_text())
    unknown = set(kustomization) - KNOWN_FIELDS
    if unknown:
        raise ValueError(f"{root}: this renderer does not know {sorted(unknown)}")
    resources: list[Resource] = []
    label_paths = list(SELECTOR_LABEL_PATHS)
    for configuration in kustomization.get("configurations", []):
        for spec in yaml.safe_load((root / configuration).read_text())["commonLabels"]:
            label_paths.append((spec["kind"], spec["path"], spec.get("create", False)))
    for entry in kustomization.get("resources", []):
        path = root / entry
        if path.is_dir():
            built, base_label_paths = _build(path)
            resources.extend(built)
            label_paths.extend(p for p in base_label_paths if p not in label_paths)
        else:
            resources.extend(_load(path))

    hashed = not kustomization.get("generatorOptions", {}).get("disableNameSuffixHash")
    if hashed and kustomization.get("configMapGenerator"):
        raise ValueError(f"{root}: generated names need disableNameSuffixHash here")
    for entry in kustomization.get("configMapGenerator", []):
        generated = _config_map(entry, root)
        if entry.get("behavior") == "merge":
            existing = next(r for r in resources if r["kind"] == "ConfigMap" and r["metadata"]["name"] == entry["name"])
            existing["data"].update(generated["data"])
        else:
            resources.append(generated)

    for entry in kustomization.get("patches", []):
        _patch(resources, entry, root)

    if prefix := kustomization.get("namePrefix"):
        renamed = {(r["kind"], r["metadata"]["name"]) for r in resources}
        for resource in resources:
            resource["metadata"]["name"] = prefix + resource["metadata"]["name"]
            for kind, path, referred in NAME_REFERENCES:
                if resource["kind"] == kind:
                    _set_at(
                        resource,
                        path.split("/"),
                        lambda name, referred=referred: prefix + name if (referred, name) in renamed else name,
                    )

    for entry in kustomization.get("labels", []):
        pairs = entry["pairs"]
        for resource in resources:
            resource.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)
            if entry.get("includeSelectors"):
                for kind, path, create in label_paths:
                    if resource["kind"] == kind:
                        for labels in _walk(resource, path.split("/"), create):
                            labels.update(pairs)

    if namespace := kustomization.get("namespace"):
        for resource in resources:
            resource["metadata"]["namespace"] = namespace

    for image in kustomization.get("images", []):
        for resource in resources:
            for container in _containers(resource):
                if container.get("image", "").split(":")[0] == image["name"]:
                    container["image"] = f"{image.get('newName', image['name'])}:{image['newTag']}"
    return resources, label_paths


def _containers(resource: Resource) -> list[dict]:
    pod = resource.get("spec", {}).get("template", {}).get("spec", {})
    return [*pod.get("initContainers", []), *pod.get("containers", [])]


def by_kind_and_name(resources: list[Resource]) -> list[Resource]:
    """Plain JSON values (as the cluster sees them), sorted by kind and name."""
    return sorted(json.loads(json.dumps(resources)), key=lambda r: (r["kind"], r["metadata"]["name"]))


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[Resource]]:
    return {overlay: by_kind_and_name(render(DEPLOY / "k8s" / "overlays" / overlay)) for overlay in OVERLAYS}
