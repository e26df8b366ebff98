"""Importing enterprises from the Excel sheets parks keep: preview, confirm, all or nothing."""

import io
import re
import uuid
import zipfile

import openpyxl
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from every_schema.accounts.models import User
from tenant_schema.enterprises import importing
from tenant_schema.enterprises.importing import import_batch_run
from tenant_schema.enterprises.models import Enterprise, Tag
from tenant_schema.enterprises.tasks import import_batch_run_task

from ..conftest import ALPHA, BETA, make_user, wait_until
from .conftest import new_credit_code, register

IMPORT_URL = "/park/enterprises/import/"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = [
    "统一社会信用代码",
    "企业名称",
    "法定代表人",
    "行业门类",
    "企业规模",
    "是否规上",
    "从业人数",
    "地址",
    "联系人",
    "联系电话",
    "电子邮箱",
    "标签",
]
ENGLISH_HEADERS = [
    "Credit code",
    "Name",
    "Legal representative",
    "Industry",
    "Size class",
    "Above designated size",
    "Employees",
    "Address",
    "Contact person",
    "Contact phone",
    "Email",
    "Tags",
]
CODE, NAME, LEGAL, INDUSTRY, SIZE, ABOVE, EMPLOYEES, ADDRESS, CONTACT, PHONE, EMAIL, TAGS = range(12)


def enterprise_row(i: int, *, tags: str = "") -> list:
    return [
        new_credit_code(),
        f"青岛导入测试{i:03d}有限公司",
        "王五",
        "C",
        "小型",
        "否",
        10 + i,
        f"胶州市测试路{i}号",
        "赵六",
        "13800000000",
        f"contact{i}@example.cn",
        tags,
    ]


def xlsx(
    rows: list[list], *, headers=HEADERS, title_rows: list[list] = (), name: str = "企业名录.xlsx"
) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for title in title_rows:
        sheet.append(title)
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX_TYPE)


def with_a_wrong_check_character(code: str) -> str:
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def sheet_with_three_bad_rows() -> tuple[list[list], dict[int, str]]:
    """100 rows; Excel rows 22 (check character), 47 (no name) and 72 (repeats row 7's code) are bad."""
    rows = [enterprise_row(i, tags="专精特新、高新技术企业" if i % 3 == 0 else "") for i in range(100)]
    rows[20][CODE] = with_a_wrong_check_character(rows[20][CODE])
    rows[45][NAME] = None
    rows[70][CODE] = rows[5][CODE]
    return rows, {22: "check character", 47: "name is missing", 72: "already appears in row 7"}


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def upload(client, file) -> str:
    """Upload a sheet; return the batch page's URL."""
    response = client.post(IMPORT_URL, {"file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert re.fullmatch(rf"{IMPORT_URL}[0-9a-f-]{{36}}/", response["Location"])
    return response["Location"]


def confirm(client, batch_url: str):
    response = client.post(batch_url + "confirm/")
    assert response.status_code == 302 and response["Location"] == batch_url
    return client.get(batch_url)


def codes_in(schema: str, codes) -> set[str]:
    with schema_context(schema):
        return set(
            Enterprise.objects.filter(credit_code__in=list(codes)).values_list("credit_code", flat=True)
        )


def uploaded_files(schema: str) -> set[str]:
    with schema_context(schema):
        return set(default_storage.listdir(importing.UPLOAD_DIR)[1])


@pytest.fixture
def admin_client(client_a, park_admin_a):
    client_a.force_login(park_admin_a)
    return english(client_a)


@pytest.fixture(autouse=True)
def _uploads_removed_afterwards():
    """Previews a test leaves unconfirmed would otherwise wait a day for the sweep."""
    with schema_context(ALPHA):
        before = set(default_storage.listdir(importing.UPLOAD_DIR)[1])
    yield
    with schema_context(ALPHA):
        for name in set(default_storage.listdir(importing.UPLOAD_DIR)[1]) - before:
            default_storage.delete(f"{importing.UPLOAD_DIR}/{name}")


# ---------------------------------------------------------------------------
# Template
# ---------------------------------------------------------------------------


def test_the_template_has_the_chinese_headers_and_one_example_row(admin_client):
    response = admin_client.get(IMPORT_URL + "template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert len(rows) == 2 and rows[1][CODE] == importing.TEMPLATE_EXAMPLE_CODE


def test_the_template_uploaded_as_it_is_refuses_its_example_row(admin_client):
    template = admin_client.get(IMPORT_URL + "template.xlsx").content
    batch_url = upload(admin_client, SimpleUploadedFile("模板.xlsx", template))
    page = admin_client.get(batch_url)
    assert page.context["batch"].valid_rows == 0
    [problem] = page.context["problems"]
    assert problem["row"] == 2 and "example row" in problem["reasons"][0]["message"]
    assert "Confirm import" not in page.content.decode()


# ---------------------------------------------------------------------------
# Preview, confirmation and re-import
# ---------------------------------------------------------------------------


def test_the_preview_reports_exactly_the_bad_rows_and_nothing_is_saved_before_confirmation(admin_client):
    rows, bad = sheet_with_three_bad_rows()
    batch_url = upload(admin_client, xlsx(rows))

    page = admin_client.get(batch_url)
    assert page.status_code == 200
    batch, problems = page.context["batch"], page.context["problems"]
    assert {
        problem["row"]: " ".join(r["message"] for r in problem["reasons"]) for problem in problems
    }.keys() == bad.keys()
    for problem in problems:
        reasons = " ".join(reason["message"] for reason in problem["reasons"])
        assert bad[problem["row"]] in reasons, (problem, bad[problem["row"]])
    assert (batch.total_rows, batch.valid_rows, batch.problem_rows) == (100, 97, 3)
    assert (batch.would_create, batch.would_update, batch.would_keep) == (97, 0, 0)
    html = page.content.decode()
    assert "The last character (check character) does not match" in html and "Confirm import" in html
    assert codes_in(ALPHA, [row[CODE] for row in rows]) == set()


def test_confirming_creates_the_97_valid_rows_verified_by_the_importing_admin(admin_client, park_admin_a):
    rows, _bad = sheet_with_three_bad_rows()
    batch_url = upload(admin_client, xlsx(rows))
    result = confirm(admin_client, batch_url)

    batch = result.context["batch"]
    assert (batch.status, batch.created, batch.updated, batch.unchanged) == ("done", 97, 0, 0)
    assert "The import is finished" in result.content.decode()
    valid_codes = {row[CODE] for i, row in enumerate(rows) if i not in (20, 45, 70)}
    assert codes_in(ALPHA, valid_codes) == valid_codes and len(valid_codes) == 97
    with schema_context(ALPHA):
        imported = Enterprise.objects.filter(credit_code__in=valid_codes)
        assert set(imported.values_list("status", flat=True)) == {Enterprise.Status.VERIFIED}
        assert set(imported.values_list("verified_by", flat=True)) == {park_admin_a.pk}
        third = Enterprise.objects.get(credit_code=rows[3][CODE])
        assert sorted(third.tags.values_list("name", flat=True)) == ["专精特新", "高新技术企业"]
        assert (third.industry, third.size_class, third.employees, third.above_designated_size) == (
            "C",
            "small",
            13,
            False,
        )
        assert not Enterprise.objects.get(credit_code=rows[4][CODE]).tags.exists()
    assert batch.storage_name.rsplit("/", 1)[1] not in uploaded_files(ALPHA)  # the file goes once imported


def test_importing_the_same_sheet_again_creates_none_and_updates_only_the_changed_rows(admin_client):
    rows, _bad = sheet_with_three_bad_rows()
    confirm(admin_client, upload(admin_client, xlsx(rows)))
    with schema_context(ALPHA):
        untouched_before = Enterprise.objects.get(credit_code=rows[50][CODE]).updated_at

    rows[3][ADDRESS] = "胶州市新地址88号"
    rows[10][EMPLOYEES] = 999
    rows[30][TAGS] = "瞪羚企业"
    rows[60][INDUSTRY] = "信息传输、软件和信息技术服务业"
    rows[80][PHONE] = None  # an empty cell keeps the current value: not a change
    batch_url = upload(admin_client, xlsx(rows))
    preview = admin_client.get(batch_url).context["batch"]
    assert (preview.would_create, preview.would_update, preview.would_keep, preview.problem_rows) == (
        0,
        4,
        93,
        3,
    )

    batch = confirm(admin_client, batch_url).context["batch"]
    assert (batch.created, batch.updated, batch.unchanged) == (0, 4, 93)
    with schema_context(ALPHA):
        by_code = {
            e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=[r[CODE] for r in rows])
        }
        assert by_code[rows[3][CODE]].address == "胶州市新地址88号"
        assert by_code[rows[10][CODE]].employees == 999
        assert list(by_code[rows[30][CODE]].tags.values_list("name", flat=True)) == ["瞪羚企业"]
        assert by_code[rows[60][CODE]].industry == "I"
        assert by_code[rows[80][CODE]].contact_phone == "13800000000"
        assert by_code[rows[50][CODE]].updated_at == untouched_before
        assert len(by_code) == 97


def test_an_existing_enterprise_keeps_its_status_and_the_values_of_empty_cells(admin_client):
    registration = register(ALPHA, name="青岛星海机械有限公司")
    code = registration.enterprise.credit_code
    row = [
        code.lower(),
        "青岛星海机械股份有限公司",
        None,
        "c",
        "中型",
        "是",
        "1,200",
        None,
        None,
        None,
        None,
        "专精特新",
    ]
    batch_url = upload(admin_client, xlsx([row]))
    assert admin_client.get(batch_url).context["batch"].would_update == 1
    batch = confirm(admin_client, batch_url).context["batch"]
    assert (batch.created, batch.updated) == (0, 1)
    with schema_context(ALPHA):
        enterprise = Enterprise.objects.get(pk=registration.enterprise.pk)
        assert enterprise.status == Enterprise.Status.PENDING and enterprise.verified_by is None
        assert (enterprise.name, enterprise.industry, enterprise.size_class) == (
            "青岛星海机械股份有限公司",
            "C",
            "medium",
        )
        assert (enterprise.above_designated_size, enterprise.employees) == (True, 1200)
        assert (enterprise.contact_name, enterprise.contact_phone) == ("张三", "13800000000")
        assert list(enterprise.tags.values_list("name", flat=True)) == ["专精特新"]


def test_english_headers_a_title_row_and_section_names_are_accepted(admin_client):
    rows = [enterprise_row(i) for i in range(4)]
    rows[0][INDUSTRY], rows[0][SIZE], rows[0][ABOVE] = "Manufacturing", "Small", "yes"
    rows[1][INDUSTRY], rows[1][SIZE] = "制造业", "微型"
    rows[2][INDUSTRY], rows[2][SIZE] = "M 科学研究和技术服务业", "large"
    rows[3][INDUSTRY], rows[3][TAGS] = "i", "专精特新; 高新技术企业,瞪羚企业"
    batch_url = upload(
        admin_client, xlsx(rows, headers=ENGLISH_HEADERS, title_rows=[["胶州湾园区企业名录（2025年）"]])
    )
    assert admin_client.get(batch_url).context["problems"] == []
    confirm(admin_client, batch_url)
    with schema_context(ALPHA):
        got = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=[r[CODE] for r in rows])}
        assert [(got[r[CODE]].industry, got[r[CODE]].size_class) for r in rows] == [
            ("C", "small"),
            ("C", "micro"),
            ("M", "large"),
            ("I", "small"),
        ]
        assert got[rows[0][CODE]].above_designated_size is True
        assert got[rows[3][CODE]].tags.count() == 3


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        (CODE, "91370281MA3C1234", "18 characters"),
        (CODE, "91370281MA3C1234I5", "capital letters"),
        (CODE, None, "18-character"),
        (INDUSTRY, "Z", "Unknown industry"),
        (INDUSTRY, "造船业", "Unknown industry"),
        (SIZE, "巨型", "Unknown size class"),
        (EMPLOYEES, "很多", "whole number"),
        (EMPLOYEES, -5, "whole number"),
        (EMPLOYEES, 12.5, "whole number"),
        (ABOVE, "也许", "是 or 否"),
        (EMAIL, "not-an-email", "not a valid email"),
        (NAME, "长" * 201, "at most 200 characters"),
    ],
)
def test_each_kind_of_bad_cell_is_explained_with_its_column(admin_client, column, value, reason):
    rows = [enterprise_row(0), enterprise_row(1)]
    rows[1][column] = value
    page = admin_client.get(upload(admin_client, xlsx(rows)))
    [problem] = page.context["problems"]
    assert problem["row"] == 3
    assert [r["column"] for r in problem["reasons"]] == [HEADERS[column]]
    assert reason in problem["reasons"][0]["message"]
    assert page.context["batch"].valid_rows == 1


# ---------------------------------------------------------------------------
# Files that are not a usable sheet
# ---------------------------------------------------------------------------


def _zip_that_is_not_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        "统一社会信用代码,企业名称\n91370281MA3C12345X,某公司\n".encode(),
        _zip_that_is_not_a_workbook(),
        b"",
    ],
    ids=["text-renamed-xlsx", "zip-not-workbook", "empty"],
)
def test_a_file_that_is_not_an_xlsx_is_refused_with_a_message(admin_client, content):
    before = uploaded_files(ALPHA)
    response = admin_client.post(IMPORT_URL, {"file": SimpleUploadedFile("企业名录.xlsx", content)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be read as an Excel workbook" in html or "The submitted file is empty" in html
    assert uploaded_files(ALPHA) == before


def test_a_file_over_the_size_limit_is_refused(admin_client, monkeypatch):
    monkeypatch.setattr(importing.batches, "IMPORT_MAX_BYTES", 1024)
    response = admin_client.post(IMPORT_URL, {"file": xlsx([enterprise_row(0)])})
    assert response.status_code == 400 and "larger than" in response.content.decode()


def test_a_sheet_without_the_name_column_is_refused(admin_client):
    response = admin_client.post(
        IMPORT_URL, {"file": xlsx([["91370281MA3C12345X"]], headers=["统一社会信用代码"])}
    )
    assert response.status_code == 400 and "企业名称" in response.content.decode()


# ---------------------------------------------------------------------------
# All or nothing, and safe to run twice
# ---------------------------------------------------------------------------


def test_a_failure_midway_leaves_nothing_half_imported(admin_client, monkeypatch):
    rows = [enterprise_row(i, tags=f"半途标签{i % 4}") for i in range(50)]
    batch_url = upload(admin_client, xlsx(rows))
    monkeypatch.setattr(importing.writing, "WRITE_CHUNK", 10)
    real_links_write, calls = importing.writing._links_write, []

    def disk_full_on_the_third_chunk(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real_links_write(**kwargs)

    monkeypatch.setattr(importing.writing, "_links_write", disk_full_on_the_third_chunk)
    failed = confirm(admin_client, batch_url)
    assert len(calls) == 3  # two chunks of enterprises and tags were written, then rolled back
    assert failed.context["batch"].status == "failed"
    assert "Nothing was imported" in failed.content.decode()
    assert codes_in(ALPHA, [row[CODE] for row in rows]) == set()
    with schema_context(ALPHA):
        assert not Tag.objects.filter(name__startswith="半途标签").exists()

    monkeypatch.setattr(importing.writing, "_links_write", real_links_write)
    retried = confirm(admin_client, batch_url).context["batch"]
    assert (retried.status, retried.created) == ("done", 50)
    assert len(codes_in(ALPHA, [row[CODE] for row in rows])) == 50


def test_running_a_finished_batch_again_imports_nothing(admin_client):
    rows = [enterprise_row(i) for i in range(5)]
    batch_url = upload(admin_client, xlsx(rows))
    confirm(admin_client, batch_url)
    batch_id = batch_url.rstrip("/").rsplit("/", 1)[1]
    with schema_context(ALPHA):
        Enterprise.objects.filter(credit_code=rows[0][CODE]).delete()
        again = import_batch_run(batch_id=batch_id)
        assert (again.status, again.created) == ("done", 5)
        assert not Enterprise.objects.filter(credit_code=rows[0][CODE]).exists()  # not imported a second time
    assert admin_client.post(batch_url + "confirm/").status_code == 302
    assert len(codes_in(ALPHA, [row[CODE] for row in rows])) == 4


# ---------------------------------------------------------------------------
# Who may import: park administrators only, each their own batches
# ---------------------------------------------------------------------------


def _every_page(batch_url: str) -> list[tuple[str, str]]:
    return [
        ("get", IMPORT_URL),
        ("get", IMPORT_URL + "template.xlsx"),
        ("post", IMPORT_URL),
        ("get", batch_url),
        ("post", batch_url + "confirm/"),
        ("post", batch_url + "discard/"),
        ("get", batch_url + "progress.json"),
    ]


@pytest.mark.parametrize("who", ["enterprise user", "reviewer"])
def test_people_who_are_not_park_administrators_get_404_everywhere(admin_client, client_a, who):
    batch_url = upload(admin_client, xlsx([enterprise_row(0)]))
    other = english(type(client_a)(client_a.host))
    user = register(ALPHA).user if who == "enterprise user" else make_user(ALPHA, role=roles.REVIEWER)
    other.force_login(user)
    for method, url in _every_page(batch_url):
        assert getattr(other, method)(url).status_code == 404, (who, method, url)
    assert admin_client.get(batch_url).context["batch"].status == "previewed"


def test_another_administrator_gets_404_for_a_batch_that_is_not_theirs(
    admin_client, client_a, client_b, park_admin_b
):
    batch_url = upload(admin_client, xlsx([enterprise_row(0)]))
    colleague = type(client_a)(client_a.host)
    colleague.force_login(make_user(ALPHA, role=roles.PARK_ADMIN))
    assert colleague.get(IMPORT_URL).status_code == 200
    client_b.force_login(park_admin_b)
    for client in (colleague, client_b):
        for method, url in _every_page(batch_url)[3:]:
            assert getattr(client, method)(url).status_code == 404, (client.host, method, url)
    assert client_b.get(IMPORT_URL + f"{uuid.uuid4()}/").status_code == 404
    assert admin_client.get(batch_url).context["batch"].status == "previewed"


def test_signed_out_visitors_are_sent_to_sign_in(db, client_a):
    response = client_a.get(IMPORT_URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ---------------------------------------------------------------------------
# Large sheets: the real Celery worker
# ---------------------------------------------------------------------------


@pytest.mark.worker
def test_a_large_sheet_is_imported_by_the_worker_with_progress_up_to_the_total(
    committed_db, celery_worker_process, client_a, settings
):
    settings.PARKHUB_IMPORT_ASYNC_ROWS = 20
    admin = make_user(ALPHA, role=roles.PARK_ADMIN)
    rows = [enterprise_row(i, tags=f"工人标签{i % 3}") for i in range(60)]
    rows[7][SIZE] = "巨型"  # one bad row: 59 to import
    codes = [row[CODE] for row in rows]
    try:
        client_a.force_login(admin)
        english(client_a)
        batch_url = upload(client_a, xlsx(rows))
        assert client_a.get(batch_url).context["batch"].valid_rows == 59
        queued = confirm(client_a, batch_url)
        assert queued.context["batch"].runs_in_worker
        assert queued.context["batch"].status in ("queued", "running", "done")

        seen = []

        def finished():
            state = client_a.get(batch_url + "progress.json").json()
            seen.append(state["processed"])
            return state if state["finished"] else None

        state = wait_until(finished, timeout=60, message="the worker to finish the import")
        assert state["status"] == "done", state
        assert state["processed"] == state["total"] == 59
        assert (state["created"], state["updated"], state["unchanged"]) == (59, 0, 0)
        assert seen == sorted(seen)
        assert len(codes_in(ALPHA, codes)) == 59
        page = client_a.get(batch_url)
        assert "The import is finished" in page.content.decode()

        # Delivered a second time, the task leaves the finished batch alone.
        with schema_context(ALPHA):
            again = import_batch_run_task.apply_async(
                kwargs={"batch_id": batch_url.rstrip("/").rsplit("/", 1)[1]}, ignore_result=False
            )
            assert again.get(timeout=30) == {"status": "done", "created": 59, "updated": 0, "unchanged": 0}
        assert len(codes_in(ALPHA, codes)) == 59
    finally:
        connection.set_schema_to_public()
        with schema_context(ALPHA):
            Enterprise.objects.filter(credit_code__in=codes).delete()
            Tag.objects.filter(name__startswith="工人标签").delete()
            User.objects.filter(pk=admin.pk).delete()


def test_the_beta_park_has_nothing_of_alpha_imports(admin_client):
    rows = [enterprise_row(0)]
    confirm(admin_client, upload(admin_client, xlsx(rows)))
    assert codes_in(ALPHA, [rows[0][CODE]]) == {rows[0][CODE]}
    assert codes_in(BETA, [rows[0][CODE]]) == set()


def test_an_import_the_worker_has_not_started_says_so_after_two_minutes(admin_client, settings, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from tenant_schema.enterprises.importing import batches

    settings.PARKHUB_IMPORT_ASYNC_ROWS = 5
    monkeypatch.setattr(import_batch_run_task, "delay", lambda **kwargs: None)  # no worker is running
    english(admin_client)
    batch_url = upload(admin_client, xlsx([enterprise_row(i) for i in range(10)]))
    page = confirm(admin_client, batch_url)
    assert page.context["batch"].status == "queued"
    assert 'id="import-stalled" role="status" hidden' in page.content.decode()
    assert admin_client.get(batch_url + "progress.json").json()["stalled"] is False

    batch_id = batch_url.rstrip("/").rsplit("/", 1)[1]
    with schema_context(ALPHA):
        batch = batches._batch_load(batch_id)
        batch.queued_at = timezone.now() - timedelta(minutes=3)
        batches._batch_save(batch)
    page = admin_client.get(batch_url).content.decode()
    assert 'id="import-stalled" role="status">' in page and "worker is not running" in page
    assert admin_client.get(batch_url + "progress.json").json()["stalled"] is True


def test_a_run_whose_process_died_is_shown_interrupted_and_the_button_runs_it_again(admin_client, settings):
    """A claim whose heartbeat stopped (the process was killed) is stale: the clerk re-runs it."""
    from datetime import timedelta

    from django.utils import timezone

    from tenant_schema.enterprises.importing import batches
    from tenant_schema.enterprises.models import ImportBatch

    settings.PARKHUB_IMPORT_STALE = 30
    rows = [enterprise_row(i) for i in range(5)]
    batch_url = upload(admin_client, xlsx(rows))
    batch_id = batch_url.rstrip("/").rsplit("/", 1)[1]
    with schema_context(ALPHA):
        batch, token = batches._batch_claim(batch_id)  # what the killed process had done
        assert token and batch.attempts == 1
        # Alive a moment ago: confirming again changes nothing, discarding is refused.
        assert admin_client.get(batch_url + "progress.json").json()["status"] == "running"
        assert admin_client.post(batch_url + "confirm/").status_code == 302
        assert ImportBatch.objects.get(pk=batch_id).attempts == 1
        ImportBatch.objects.filter(pk=batch_id).update(heartbeat_at=timezone.now() - timedelta(seconds=31))
    state = admin_client.get(batch_url + "progress.json").json()
    assert (state["status"], state["finished"]) == ("interrupted", True)
    page = admin_client.get(batch_url).content.decode()
    assert 'data-status="interrupted"' in page and "was interrupted" in page and "Try again" in page
    retried = confirm(admin_client, batch_url).context["batch"]
    assert (retried.status, retried.created, retried.attempts) == ("done", 5, 2)
    assert len(codes_in(ALPHA, [row[CODE] for row in rows])) == 5


def test_a_micro_enterprise_flagged_above_designated_size_is_pointed_out_but_imported(admin_client):
    rows = [enterprise_row(i) for i in range(3)]
    rows[1][SIZE], rows[1][ABOVE], rows[1][EMPLOYEES] = "微型", "是", 8
    batch_url = upload(admin_client, xlsx(rows))
    page = admin_client.get(batch_url)
    assert [warning["row"] for warning in page.context["warnings"]] == [
        3
    ]  # Excel row 3: the second enterprise
    assert page.context["batch"].valid_rows == 3 and not page.context["problems"]
    assert "check the flag before confirming" in page.content.decode()  # admin_client reads English
