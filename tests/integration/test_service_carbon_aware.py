"""Signals and the Carbon Aware SDK v1.8 Web API, endpoint by endpoint.

The responses are checked against the SDK's schemas transcribed in
tests/data/published/carbon-aware-sdk/openapi_v1.8.json (sources in README.md there), and the
answers against a hand-made two-site signals table whose best hours are known by construction.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from computegrid.api.app import create_app
from computegrid.api.settings import ApiSettings

FIXTURE = Path(__file__).resolve().parents[1] / "data/published/carbon-aware-sdk/openapi_v1.8.json"
SPEC = json.loads(FIXTURE.read_text())

# Two sites, 48 hours of 2030. Marginal intensity [kg/MWh = g/kWh]: "west" 500 except 100 at
# hour 5; "east" 350 throughout. Best single hour: west at 05:00 (100). Best 2-hour window:
# west starting 04:00 or 05:00, mean (500 + 100) / 2 = 300 < 350.
T0 = pd.Timestamp("2030-01-01T00:00Z")


def _signals_frame() -> pd.DataFrame:
    ts = pd.date_range(T0, periods=48, freq="h")
    west = np.full(48, 500.0)
    west[5] = 100.0
    rows = []
    for site, marg in (("west", west), ("east", np.full(48, 350.0))):
        rows.append(pd.DataFrame({"timestamp": ts, "site": site, "curtailed_mw": 10.0,
                                  "price_cny_per_mwh": 300.0, "co2_avg_kg_per_mwh": marg * 0.8,
                                  "co2_marginal_kg_per_mwh": marg}))
    return pd.concat(rows, ignore_index=True)


@pytest.fixture
def client(tmp_path):
    path = tmp_path / "signals.parquet"
    _signals_frame().to_parquet(path, index=False)
    app = create_app(ApiSettings(db_url=f"sqlite:///{tmp_path}/store.db", runs_dir=tmp_path / "runs",
                                 start_workers=False, signals_path=path,
                                 anonymous_rate_limit_per_s=1000))
    with TestClient(app) as c:
        yield c


# --- a validator for the subset of JSON Schema the fixture uses -------------------------------
def _validate(value, schema, where="$"):
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _validate(value, SPEC["components"]["schemas"][name], where)
    types = schema.get("type")
    if types is not None:
        types = types if isinstance(types, list) else [types]
        checks = {"string": lambda v: isinstance(v, str), "null": lambda v: v is None,
                  "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
                  "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
                  "array": lambda v: isinstance(v, list), "object": lambda v: isinstance(v, dict)}
        assert any(checks[t](value) for t in types), f"{where}: {value!r} is not {types}"
    if value is None:
        return
    if schema.get("format") == "date-time":
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    if "pattern" in schema:
        assert re.match(schema["pattern"], value), f"{where}: {value!r} !~ {schema['pattern']}"
    if isinstance(value, dict):
        for req in schema.get("required", []):
            assert req in value, f"{where}: missing {req}"
        props = schema.get("properties", {})
        if isinstance(schema.get("additionalProperties"), dict):
            for k, v in value.items():
                _validate(v, schema["additionalProperties"], f"{where}.{k}")
        if schema.get("additionalProperties") is False:
            extra = set(value) - set(props)
            assert not extra, f"{where}: fields not in the SDK schema: {extra}"
        for k, v in value.items():
            if k in props:
                _validate(v, props[k], f"{where}.{k}")
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            _validate(v, schema["items"], f"{where}[{i}]")


def _response_schema(path, code="200", method="get"):
    return SPEC["paths"][path][method]["responses"][code]["schema"]


#: computegrid's extensions of the SDK's parameters (documented in docs/service.md).
EXTENSIONS = {("/emissions/bylocations/best", "durationMinutes")}


def test_every_sdk_endpoint_is_served_with_the_sdk_parameters(client):
    ours = client.get("/openapi.json").json()["paths"]
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            assert method in ours[path], (path, method)
            theirs = {p["name"]: p for p in op.get("parameters", [])}
            mine = {p["name"]: p for p in ours[path][method].get("parameters", [])}
            assert set(mine) - set(theirs) == {n for p, n in EXTENSIONS if p == path}, path
            for name, p in theirs.items():
                assert mine[name]["in"] == "query"
                assert mine[name].get("required", False) == p["required"], (path, name)
            assert ours[path][method]["operationId"] == op["operationId"]


def test_bylocations_best_shape_and_answer(client):
    r = client.get("/emissions/bylocations/best", params={
        "location": ["west", "east"], "time": "2030-01-01T00:00:00Z",
        "toTime": "2030-01-02T00:00:00Z"})
    assert r.status_code == 200
    body = r.json()
    _validate(body, _response_schema("/emissions/bylocations/best"))
    assert body == [{"location": "west", "time": "2030-01-01T05:00:00Z", "rating": 100.0,
                     "duration": "01:00:00"}]


def test_bylocations_best_without_time_is_the_current_hour(client):
    body = client.get("/emissions/bylocations/best", params={"location": ["west", "east"]}).json()
    _validate(body, _response_schema("/emissions/bylocations/best"))
    assert len(body) == 1  # one hour (the SDK's end defaults to its start)


def test_bylocations_best_with_duration_returns_the_tied_windows(client):
    r = client.get("/emissions/bylocations/best", params={
        "location": ["west", "east"], "time": "2030-01-01T00:00:00Z",
        "toTime": "2030-01-01T12:00:00Z", "durationMinutes": 120})
    body = r.json()
    _validate(body, _response_schema("/emissions/bylocations/best"))
    assert [(p["location"], p["time"], p["rating"], p["duration"]) for p in body] == [
        ("west", "2030-01-01T04:00:00Z", 300.0, "02:00:00"),
        ("west", "2030-01-01T05:00:00Z", 300.0, "02:00:00")]


def test_bylocations_best_returns_every_tie(client):
    body = client.get("/emissions/bylocations/best", params={
        "location": "east", "time": "2030-01-01T00:00:00Z", "toTime": "2030-01-01T06:00:00Z"}).json()
    assert [p["time"][11:13] for p in body] == ["00", "01", "02", "03", "04", "05"]


def test_bylocations_best_other_year_uses_the_same_hour_of_year(client):
    r = client.get("/emissions/bylocations/best", params={
        "location": "west", "time": "2031-01-01T03:00:00Z", "toTime": "2031-01-01T08:00:00Z"})
    assert r.json() == [{"location": "west", "time": "2031-01-01T05:00:00Z", "rating": 100.0,
                         "duration": "01:00:00"}]


def test_bylocations_and_bylocation(client):
    params = {"time": "2030-01-01T04:00:00Z", "toTime": "2030-01-01T07:00:00Z"}
    r = client.get("/emissions/bylocations", params={"location": ["west", "east"], **params})
    body = r.json()
    _validate(body, _response_schema("/emissions/bylocations"))
    assert [(p["location"], p["time"][11:13], p["rating"]) for p in body] == [
        ("west", "04", 500.0), ("west", "05", 100.0), ("west", "06", 500.0),
        ("east", "04", 350.0), ("east", "05", 350.0), ("east", "06", 350.0)]
    one = client.get("/emissions/bylocation", params={"location": "west", **params}).json()
    _validate(one, _response_schema("/emissions/bylocation"))
    assert one == body[:3]


def test_parameter_names_are_case_insensitive_and_indexed_arrays_bind(client):
    plain = client.get("/emissions/bylocations", params={
        "location": ["west", "east"], "time": "2030-01-01T04:00:00Z",
        "toTime": "2030-01-01T05:00:00Z"}).json()
    r = client.get("/emissions/bylocations?LOCATION[1]=east&location[0]=West"
                   "&Time=2030-01-01T04:00:00Z&TOTIME=2030-01-01T05:00:00Z")
    assert r.status_code == 200 and r.json() == plain


def test_forecasts_current_shape_and_optimal_window(client):
    r = client.get("/emissions/forecasts/current", params={
        "location": ["west", "east"], "dataStartAt": "2030-01-01T00:00:00Z",
        "dataEndAt": "2030-01-01T10:00:00Z", "windowSize": 60})
    assert r.status_code == 200
    body = r.json()
    _validate(body, _response_schema("/emissions/forecasts/current"))
    west, east = body
    assert west["location"] == "west" and west["windowSize"] == 60
    assert len(west["forecastData"]) == 10
    assert west["optimalDataPoints"] == [{"location": "west", "timestamp": "2030-01-01T05:00:00Z",
                                          "duration": 60, "value": 100.0}]
    assert {p["value"] for p in east["forecastData"]} == {350.0}
    assert len(east["optimalDataPoints"]) == 10  # every tied point, as the SDK
    assert west["dataStartAt"] == "2030-01-01T00:00:00Z"


def test_forecasts_current_defaults_to_the_next_24_hours(client):
    body = client.get("/emissions/forecasts/current", params={"location": "east"}).json()
    _validate(body, _response_schema("/emissions/forecasts/current"))
    (east,) = body
    assert len(east["forecastData"]) == 24
    assert east["windowSize"] == 0  # the SDK echoes the request's windowSize, else 0
    assert east["forecastData"][0]["duration"] == 60
    generated = datetime.fromisoformat(east["generatedAt"].replace("Z", "+00:00"))
    requested = datetime.fromisoformat(east["requestedAt"].replace("Z", "+00:00"))
    assert generated <= requested
    assert east["forecastData"][0]["timestamp"] == east["generatedAt"]


def test_forecasts_batch(client):
    r = client.post("/emissions/forecasts/batch", json=[
        {"requestedAt": "2030-01-01T00:10:00Z", "location": "west",
         "dataStartAt": "2030-01-01T00:00:00Z", "dataEndAt": "2030-01-01T10:00:00Z",
         "windowSize": 120},
        {"RequestedAt": "2030-01-01T00:00:00Z", "Location": "east"}])
    assert r.status_code == 200, r.text
    body = r.json()
    _validate(body, _response_schema("/emissions/forecasts/batch", method="post"))
    west, east = body
    assert west["generatedAt"] == "2030-01-01T00:00:00Z" and west["windowSize"] == 120
    assert [(p["timestamp"][11:13], p["value"]) for p in west["optimalDataPoints"]] == [
        ("04", 300.0), ("05", 300.0)]
    assert len(east["forecastData"]) == 24


def test_average_carbon_intensity_serves_the_average_factor(client):
    r = client.get("/emissions/average-carbon-intensity", params={
        "location": "west", "startTime": "2030-01-01T04:30:00Z", "endTime": "2030-01-01T06:00:00Z"})
    assert r.status_code == 200, r.text
    body = r.json()
    _validate(body, _response_schema("/emissions/average-carbon-intensity"))
    # average factor = 0.8 x marginal: 400 for half an hour, 80 for an hour -> (200 + 80) / 1.5
    assert body["carbonIntensity"] == pytest.approx(280 / 1.5)
    assert body == {"location": "west", "startTime": "2030-01-01T04:30:00Z",
                    "endTime": "2030-01-01T06:00:00Z", "carbonIntensity": body["carbonIntensity"]}
    batch = client.post("/emissions/average-carbon-intensity/batch", json=[
        {"location": "west", "startTime": "2030-01-01T04:30:00Z", "endTime": "2030-01-01T06:00:00Z"},
        {"location": "east", "startTime": "2030-01-01T00:00:00Z", "endTime": "2030-01-02T00:00:00Z"}])
    assert batch.status_code == 200
    _validate(batch.json(), _response_schema("/emissions/average-carbon-intensity/batch",
                                             method="post"))
    assert [b["carbonIntensity"] for b in batch.json()] == [pytest.approx(280 / 1.5), 280.0]


def test_locations(client):
    r = client.get("/locations")
    body = r.json()
    _validate(body, _response_schema("/locations"))
    assert body["zhangjiakou"]["latitude"] == pytest.approx(40.769)
    assert body["ningxia"]["name"] == "ningxia" and 37 < body["ningxia"]["latitude"] < 39
    # 14 sites and 31 provinces; three sites (beijing, shanghai, chongqing) carry a province's name
    assert len(body) == 14 + 31 - 3


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/emissions/bylocations/best", {}, "location"),
    ("/emissions/bylocations/best", {"location": "mars"}, "location"),
    ("/emissions/bylocations/best", {"location": "west", "time": "yesterday"}, "time"),
    ("/emissions/bylocations/best", {"location": "west", "toTime": "2030-01-01T00:00:00Z"}, "time"),
    ("/emissions/bylocations/best", {"location": "west", "time": "2030-01-01T03:00:00Z",
                                     "toTime": "2030-01-01T03:00:00Z"}, "time"),
    ("/emissions/bylocations/best", {"location": "west", "durationMinutes": -5}, "durationMinutes"),
    ("/emissions/bylocations", {"location": "west", "time": "2030-01-01T00:00:00Z",
                                "toTime": "2031-06-01T00:00:00Z"}, "toTime"),
    ("/emissions/bylocation", {}, "location"),
    ("/emissions/forecasts/current", {"location": "west", "windowSize": "x"}, "windowSize"),
    ("/emissions/forecasts/current", {"location": "west", "dataStartAt": "2030-01-02T00:00:00Z",
                                      "dataEndAt": "2030-01-01T00:00:00Z"}, "dataEndAt"),
    ("/emissions/average-carbon-intensity", {"location": "west"}, "startTime"),
    ("/emissions/average-carbon-intensity", {"location": "west", "startTime": "2030-01-02T00:00Z",
                                             "endTime": "2030-01-01T00:00Z"}, "startTime"),
])
def test_bad_queries_are_400_problem_details_as_the_sdk(client, path, params, field):
    r = client.get(path, params=params)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    _validate(body, _response_schema(path, "400"))
    assert field in body["errors"] and body["status"] == 400 and body["title"]


def test_bad_batch_bodies_are_400(client):
    r = client.post("/emissions/forecasts/batch", json=[{"location": "west"}])
    assert r.status_code == 400 and "requestedAt" in r.json()["errors"]
    r = client.post("/emissions/average-carbon-intensity/batch", json={"location": "west"})
    assert r.status_code == 400
    r = client.post("/emissions/average-carbon-intensity/batch", json=[{"location": "west"}] * 101)
    assert r.status_code == 400


def test_signals_endpoint_is_open_and_hourly(client):
    r = client.get("/v1/signals", params={"site": "west", "start": "2030-01-01T04:00:00Z",
                                          "end": "2030-01-01T07:00:00Z"})
    assert r.status_code == 200
    body = r.json()
    assert body["timestamps"] == ["2030-01-01T04:00:00Z", "2030-01-01T05:00:00Z",
                                  "2030-01-01T06:00:00Z"]
    (west,) = body["sites"]
    assert west["co2_marginal_kg_per_mwh"] == [500.0, 100.0, 500.0]
    assert west["co2_avg_kg_per_mwh"] == [400.0, 80.0, 400.0]
    assert west["curtailed_mw"] == [10.0] * 3
    everything = client.get("/v1/signals").json()
    assert len(everything["timestamps"]) == 48 and len(everything["sites"]) == 2


def test_signals_bad_queries_are_422_naming_the_field(client):
    r = client.get("/v1/signals", params={"site": "mars"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "query.site"
    r = client.get("/v1/signals", params={"start": "not-a-date"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "query.start"


def test_no_signals_yet_is_503(tmp_path):
    app = create_app(ApiSettings(db_url=f"sqlite:///{tmp_path}/s.db", runs_dir=tmp_path / "runs",
                                 start_workers=False, signals_builder=None))
    with TestClient(app) as c:
        assert c.get("/v1/signals").status_code == 503
        assert c.get("/emissions/bylocations/best", params={"location": "x"}).status_code == 503
