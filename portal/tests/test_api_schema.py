"""The OpenAPI schema and the Swagger UI page."""

from __future__ import annotations

import pytest
import yaml
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

EXPECTED_PATHS = {
    "/api/v1/initiatives/", "/api/v1/initiatives/{initiative_id}/", "/api/v1/initiatives/external/{external_id}/",
    "/api/v1/initiatives/bulk/", "/api/v1/regions/", "/api/v1/organisations/", "/api/v1/ecosystems/",
    "/api/v1/priorities/", "/api/v1/themes/", "/api/v1/vision-windows/", "/api/v1/token/",
}


def test_schema_is_public_openapi_3_with_every_endpoint() -> None:
    response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= EXPECTED_PATHS
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            # Dutch / English summaries on every operation.
            assert " / " in operation.get("summary", ""), (method, path)
            assert "400" in operation["responses"] or method == "get", (method, path)


def test_swagger_ui_is_served_without_a_cdn() -> None:
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
