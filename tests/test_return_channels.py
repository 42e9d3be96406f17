"""The same return through the command line, the JSON API and the web pages."""

import io
import re

import openpyxl

from tests.return_workbooks import fill

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_cli_template_filled_by_openpyxl_imports_and_api_shows_provenance(
        run_mne, small_strategy, api_client_as, tmp_path):
    client = api_client_as("coordinator", "AG")
    template = tmp_path / "template.xlsx"
    run_mne("template", "--entity", "AG", "--period", "2026Q3", "-o", str(template))
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(fill(template.read_bytes()))
    checked = run_mne("import", str(filled), "--dry-run")
    assert "Checked, not imported" in checked.stdout + checked.stderr
    assert client.get("/api/v1/returns").get_json() == []
    imported = run_mne("import", str(filled))
    assert "imported and submitted" in imported.stdout + imported.stderr

    values = client.get("/api/v1/values?strategy=SMALL&indicator=P1&entity=AG&period=2026Q3")
    [value] = values.get_json()
    assert value["value"] == 45
    provenance = value["provenance"]
    assert provenance["sheet"] == "Quantitative" and re.fullmatch(r"H\d+", provenance["cell"])
    assert provenance["revision"] == 1 and len(provenance["sha256"]) == 64
    sheet = openpyxl.load_workbook(filled)["Quantitative"]
    assert sheet[provenance["cell"]].value == 45


def test_cli_import_lists_problems_writes_the_annotated_workbook_and_exits_1(
        run_mne, small_strategy, tmp_path):
    template = tmp_path / "template.xlsx"
    run_mne("template", "--entity", "AG", "--period", "2026Q3", "-o", str(template))
    flawed = tmp_path / "flawed.xlsx"
    flawed.write_bytes(fill(template.read_bytes(), {("P1", ""): "lots"}))
    marked = tmp_path / "marked.xlsx"
    result = run_mne("import", str(flawed), "--errors-out", str(marked), check=False)
    assert result.returncode == 1
    assert re.search(r"Quantitative!H\d+\s+not_a_number\s+P1", result.stdout)
    assert "found: lots" in result.stdout
    assert "Problems" in openpyxl.load_workbook(marked).sheetnames


def test_cli_import_of_a_csv_exits_2_with_one_sentence(run_mne, tmp_path):
    text = tmp_path / "values.csv"
    text.write_text("code,value\nC1,4\n")
    result = run_mne("import", str(text), check=False)
    assert result.returncode == 2
    assert "CSV" in result.stderr


def _template(client) -> bytes:
    response = client.get("/api/v1/templates?entity=AG&period=2026Q3")
    assert response.status_code == 200 and response.mimetype == XLSX
    return response.data


def _post(client, data: bytes, query: str = ""):
    return client.post(f"/api/v1/returns{query}",
                       data={"file": (io.BytesIO(data), "return.xlsx")},
                       content_type="multipart/form-data")


def test_api_receives_rejects_and_serves_returns(api_client_as, small_strategy):
    client = api_client_as("coordinator", "AG")
    template = _template(client)
    rejected = _post(client, fill(template, {("P1", ""): 130}))
    assert rejected.status_code == 422
    body = rejected.get_json()
    assert body["state"] == "rejected" and body["errors"] == 1
    assert body["problems"][0]["type"] == "percent_out_of_range"

    checked = _post(client, fill(template), "?dry_run=1")
    assert checked.status_code == 200 and checked.get_json()["outcome"] == "checked"

    good = fill(template)
    submitted = _post(client, good)
    assert submitted.status_code == 201
    body = submitted.get_json()
    assert (body["state"], body["revision"]) == ("submitted", 2)
    assert body["diff"]["against_revision"] is None and len(body["diff"]["added"]) == 7

    listed = client.get("/api/v1/returns?entity=AG").get_json()
    assert [item["revision"] for item in listed] == [2, 1]
    detail = client.get(f"/api/v1/returns/{listed[1]['id']}").get_json()
    assert detail["problems"][0]["reference"].startswith("Quantitative!H")
    original = client.get(f"/api/v1/returns/{listed[0]['id']}/file")
    assert original.data == good and original.mimetype == XLSX
    annotated = client.get(f"/api/v1/returns/{listed[1]['id']}/annotated")
    workbook = openpyxl.load_workbook(io.BytesIO(annotated.data))
    reference = detail["problems"][0]["cell"]
    assert workbook["Quantitative"][reference].comment is not None


def test_api_template_for_an_unknown_entity_is_404(api_client_as, small_strategy):
    client = api_client_as("coordinator", "AG")
    response = client.get("/api/v1/templates?entity=NOPE&period=2026Q3")
    assert response.status_code == 404 and "NOPE" in response.get_json()["error"]


def _csrf(page_html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)


def test_web_page_checks_then_submits_a_return(client_as, small_strategy):
    client = client_as("coordinator", "AG")
    page = client.get("/returns/of/AG/2026Q3")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    template = client.get("/returns/of/AG/2026Q3/template").data
    token = _csrf(html)

    checked = client.post("/returns/of/AG/2026Q3", content_type="multipart/form-data", data={
        "csrf_token": token, "action": "check",
        "file": (io.BytesIO(fill(template, {("C1", ""): -3})), "mine.xlsx")})
    text = checked.get_data(as_text=True)
    assert "negative_count" in text and "Quantitative!H" in text
    link = re.search(r'id="annotated" href="([^"]+)"', text).group(1)
    marked = openpyxl.load_workbook(io.BytesIO(client.get(link).data))
    assert "Problems" in marked.sheetnames

    good = fill(template)
    submitted = client.post("/returns/of/AG/2026Q3", content_type="multipart/form-data", data={
        "csrf_token": token, "action": "submit", "file": (io.BytesIO(good), "mine.xlsx")})
    assert 'data-outcome="submitted"' in submitted.get_data(as_text=True)
    listing = client.get("/returns").get_data(as_text=True)
    assert "AG" in listing and "submitted" in listing

    changed = client.post("/returns/of/AG/2026Q3", content_type="multipart/form-data", data={
        "csrf_token": token, "action": "submit",
        "file": (io.BytesIO(fill(template, {("P1", ""): 47})), "mine-v2.xlsx")})
    text = changed.get_data(as_text=True)
    assert "Changes against revision 1" in text
    assert re.search(r'class="diff-changed">.*?P1.*?45.*?47', text, re.S)
    first = re.search(r'href="(/returns/\d+)">1</a>', client.get("/returns").get_data(
        as_text=True)).group(1)
    stored = client.get(first).get_data(as_text=True)
    assert "revision 1" in stored and "superseded" in stored  # revision 2 replaced it
    assert client.get(f"{first}/file").data == good
