"""Public, token-free open-data downloads, the data dictionary and a DCAT catalogue (JSON-LD)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from portal.open_data import OpenDataExport
from portal.open_data_services import DATASETS, FORMATS, LICENCE_URL, data_dictionary

CATALOGUE_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _cors(response: HttpResponse) -> HttpResponse:
    # Open data: any site or data portal may fetch it from the browser.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _not_generated() -> JsonResponse:
    return JsonResponse({"message": "This file has not been generated yet; try again later.", "extra": {}},
                        status=404)


@require_GET
def open_data_file(request: HttpRequest, dataset: str, fmt: str) -> HttpResponse:
    if dataset not in DATASETS or fmt not in FORMATS:
        return _cors(JsonResponse({"message": "Not found.", "extra": {}}, status=404))
    export = OpenDataExport.objects.filter(name=f"{dataset}.{fmt}").first()
    if export is None:
        return _cors(_not_generated())
    etag = f'"{export.sha256}"'
    if request.headers.get("If-None-Match") == etag:
        return _cors(HttpResponse(status=304, headers={"ETag": etag}))
    response = HttpResponse(bytes(export.content), content_type=export.content_type)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(export.generated_at.timestamp())
    response["Link"] = f'<{LICENCE_URL}>; rel="license"'
    if fmt == "csv":
        response["Content-Disposition"] = f'attachment; filename="{dataset}.csv"'
    return _cors(response)


@require_GET
def open_data_dictionary(request: HttpRequest) -> JsonResponse:
    return _cors(JsonResponse(data_dictionary(), json_dumps_params={"ensure_ascii": False}))


@require_GET
def open_data_catalogue(request: HttpRequest) -> HttpResponse:
    exports = {e.name: e for e in OpenDataExport.objects.defer("content")}
    dictionary_url = request.build_absolute_uri(reverse("open-data-dictionary"))
    datasets = []
    for name, meta in DATASETS.items():
        distributions = []
        modified = None
        for fmt, content_type in FORMATS.items():
            export = exports.get(f"{name}.{fmt}")
            if export is None:
                continue
            modified = export.generated_at
            distributions.append({
                "@type": "dcat:Distribution",
                "dcat:downloadURL": {"@id": request.build_absolute_uri(
                    reverse("open-data-file", kwargs={"dataset": name, "fmt": fmt}))},
                "dcat:mediaType": content_type.split(";")[0],
                "dct:format": fmt.upper(),
                "dcat:byteSize": {"@value": str(export.size), "@type": "xsd:decimal"},
                "dct:license": {"@id": LICENCE_URL},
                "dct:conformsTo": {"@id": dictionary_url},
            })
        datasets.append({
            "@type": "dcat:Dataset",
            "@id": request.build_absolute_uri(reverse("open-data-catalogue")) + f"#{name}",
            "dct:identifier": name,
            "dct:title": [{"@language": "nl", "@value": meta["title_nl"]}, {"@language": "en", "@value": meta["title_en"]}],
            "dct:description": [{"@language": "nl", "@value": meta["description_nl"]},
                                {"@language": "en", "@value": meta["description_en"]}],
            "dct:license": {"@id": LICENCE_URL},
            "dct:modified": {"@value": modified.isoformat(), "@type": "xsd:dateTime"} if modified else None,
            "dcat:keyword": ["innovatie", "regio", "ecosysteem", "AWTI"],
            "dct:spatial": {"@id": "http://publications.europa.eu/resource/authority/country/NLD"},
            "dcat:distribution": [{k: v for k, v in d.items() if v is not None} for d in distributions],
        })
    catalogue = {
        "@context": CATALOGUE_CONTEXT,
        "@type": "dcat:Catalog",
        "@id": request.build_absolute_uri(reverse("open-data-catalogue")),
        "dct:title": [{"@language": "nl", "@value": "Regio-innovatieportaal: open data"},
                      {"@language": "en", "@value": "Regional innovation portal: open data"}],
        "dct:publisher": {"@type": "foaf:Organization",
                          "foaf:name": "Interdepartementaal programmateam regionale innovatie"},
        "dct:license": {"@id": LICENCE_URL},
        "dcat:dataset": [{k: v for k, v in d.items() if v is not None} for d in datasets],
    }
    response = JsonResponse(catalogue, content_type="application/ld+json", json_dumps_params={"ensure_ascii": False})
    return _cors(response)
