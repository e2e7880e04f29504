"""Open data: generated files hold only published records and no personal data; public views."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time

import pytest
from django.utils import timezone

from initiatives.tests.factories import InitiativeFactory
from portal.models import Region
from portal.open_data import OpenDataExport
from portal.open_data_services import open_data_generate_all
from portal.tests import api_support
from portal.tests.api_support import World
from portal.tokens import IdempotencyRecord

world = api_support.world


@pytest.fixture
def published(world: World) -> object:
    Region.objects.filter(pk=world.p1.pk).update(
        geometry=json.dumps({"type": "Polygon", "coordinates": [[[5, 52], [7, 52], [7, 54], [5, 54], [5, 52]]]})
    )
    initiative = InitiativeFactory(ecosystem=world.ecosystem, contact_name="Jan Jansen", contact_email="jan@example.org",
                                   budget=250000, title="Fieldlab open")
    initiative.partners.set([world.rom_org])
    InitiativeFactory(ecosystem=world.ecosystem, draft=True, title="Geheim concept")
    InitiativeFactory(ecosystem=world.ecosystem, unpublished=True, title="Niet gepubliceerd")
    world.other_ecosystem.published = False
    world.other_ecosystem.save()
    return initiative


@pytest.mark.django_db
def test_files_hold_only_published_records_without_personal_data(published: object, client: object) -> None:
    written = open_data_generate_all()
    assert written["initiatives.csv"] == 1
    assert written["ecosystems.json"] == 1
    content = bytes(OpenDataExport.objects.get(name="initiatives.csv").content).decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [r["title"] for r in rows] == ["Fieldlab open"]
    assert rows[0]["regions"] == "TP01"
    assert rows[0]["partners"] == "rom-een"
    assert rows[0]["budget"] == "250000.00"
    assert "Jan" not in content and "jan@example.org" not in content
    features = json.loads(bytes(OpenDataExport.objects.get(name="initiatives.geojson").content))["features"]
    assert features[0]["geometry"] == {"type": "Point", "coordinates": [5.8, 52.8]}
    ecosystems = json.loads(bytes(OpenDataExport.objects.get(name="ecosystems.json").content))
    assert [e["slug"] for e in ecosystems] == ["eco-een"]
    # Regenerating overwrites: still one row per file.
    open_data_generate_all()
    assert OpenDataExport.objects.count() == 6


@pytest.mark.django_db
def test_public_downloads_without_a_token(published: object, client: object) -> None:
    assert client.get("/open-data/initiatives.csv").status_code == 404  # not generated yet
    open_data_generate_all()
    response = client.get("/open-data/initiatives.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "creativecommons.org/licenses/by/4.0" in response["Link"]
    assert client.get("/open-data/initiatives.csv", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get("/open-data/ecosystems.geojson")["Content-Type"] == "application/geo+json"
    assert client.get("/open-data/initiatives.xlsx").status_code == 404
    assert client.get("/open-data/users.json").status_code == 404


@pytest.mark.django_db
def test_dictionary_and_dcat_catalogue(published: object, client: object) -> None:
    open_data_generate_all()
    dictionary = client.get("/open-data/data-dictionary.json").json()
    assert {f["name"] for f in dictionary["datasets"]["initiatives"]["fields"]} >= {"id", "title", "regions"}
    assert dictionary["licence"]["name"] == "CC BY 4.0"
    response = client.get("/open-data/catalog.jsonld")
    assert response["Content-Type"] == "application/ld+json"
    catalogue = response.json()
    assert catalogue["@type"] == "dcat:Catalog"
    datasets = {d["dct:identifier"]: d for d in catalogue["dcat:dataset"]}
    assert set(datasets) == {"initiatives", "ecosystems"}
    urls = {d["dcat:downloadURL"]["@id"] for d in datasets["initiatives"]["dcat:distribution"]}
    assert urls == {f"http://testserver/open-data/initiatives.{f}" for f in ("csv", "json", "geojson")}
    assert all(int(d["dcat:byteSize"]["@value"]) > 0 for d in datasets["initiatives"]["dcat:distribution"])


@pytest.mark.worker
@pytest.mark.xdist_group("celery")
def test_open_data_task_runs_on_a_real_worker(published: object, live_worker: object) -> None:
    from portal.tasks import open_data_generate_all as task

    task.delay()
    deadline = time.monotonic() + 30
    while OpenDataExport.objects.count() < 6 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert OpenDataExport.objects.get(name="initiatives.json").rows == 1


@pytest.mark.worker
@pytest.mark.xdist_group("celery")
def test_idempotency_purge_task_runs_on_a_real_worker(world: World, live_worker: object) -> None:
    from portal.tasks import idempotency_records_purge as task

    user = world.user("rom")
    old = IdempotencyRecord.objects.create(user=user, key="old", request_hash="x", response_status=201)
    IdempotencyRecord.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    IdempotencyRecord.objects.create(user=user, key="new", request_hash="y", response_status=201)
    task.delay()
    deadline = time.monotonic() + 30
    while IdempotencyRecord.objects.filter(key="old").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
