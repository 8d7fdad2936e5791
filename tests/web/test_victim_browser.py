"""The victim's page in Chromium, as a Spanish-speaking mother in Madrid on a phone: what happens
next and who the hotline is, the secret copied whole and never broken inside a group, pictures
shown as previews made and kept on her phone (never sent), one wrong picture removed, times in
her own time zone, invitation codes listed and revoked without ending the other families' code,
email updates that say only "something changed", and the police summary in Spanish.

Screenshots go to ``$BOUCLIER_ARTIFACTS/victim-es`` (default ``.artifacts/screenshots``). The
pictures are generated, benign ones.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from sqlalchemy import select

from bouclier.cases import record_reupload
from bouclier.errors import NotFound
from bouclier.storage.models import Case, CaseItem, Notice, utcnow
from tests.cases.test_evidence import pdf_text
from tests.notices.conftest import SmtpServer
from tests.web.server import LiveServer, serving, settings_for
from tests.web.test_portal_browser import ARTIFACTS, PHONE, Recorded, accessible, pictures

pytestmark = pytest.mark.browser

MADRID = ZoneInfo("Europe/Madrid")
ADDRESS = "madre@correo.example"


def shot(page: Page, name: str) -> None:
    folder = ARTIFACTS / "victim-es"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def hotline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: SmtpServer
) -> Iterator[LiveServer]:
    settings = settings_for(
        tmp_path,
        monkeypatch,
        hotline_name="Línea de ayuda de prueba",
        hotline_email="ayuda@hotline.example",
        hotline_phone="+34 900 000 000",
        hotline_website="https://hotline.example",
        hotline_timezone="Europe/Madrid",
        review_within_hours=24,
        case_retention_days=180,
        portal_url="https://bouclier.example",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_starttls=False,
        case_updates_every_seconds=0.2,
    )
    with serving(settings) as live:
        yield live


@pytest.fixture
def mother(
    browser: Browser, hotline: LiveServer
) -> Iterator[tuple[BrowserContext, Page, Recorded]]:
    context = browser.new_context(
        locale="es-ES",
        timezone_id="Europe/Madrid",
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=hotline.url)
    page = context.new_page()
    recorded = Recorded()
    page.on("request", recorded.record)
    yield context, page, recorded
    context.close()


GROUPS_ON_ONE_LINE = """(id) => Array.from(document.querySelectorAll('#' + id + ' .group'))
  .map((group) => group.getClientRects().length)"""


def test_a_mother_follows_her_case_on_her_phone(
    hotline: LiveServer,
    smtp: SmtpServer,
    mother: tuple[BrowserContext, Page, Recorded],
    tmp_path: Path,
) -> None:
    _, page, recorded = mother
    cases = hotline.cases
    other_family, _ = cases.create(language="es")
    their_code = cases.invite(other_family.number)  # the code the other families hold

    # she opens her case (an adult: her own pictures), joining the other families
    page.goto(hotline.url + "/case/new")
    page.get_by_label("Código de invitación de un caso colectivo").fill(their_code)
    page.get_by_label("¿Cómo puede contactarle una línea de ayuda? (opcional)").fill(ADDRESS)
    page.get_by_role("button", name="Crear mi caso").click()
    page.wait_for_selector("#case-secret")
    secret = page.locator("#case-secret").inner_text().strip()
    number = page.locator("#case-number").inner_text().strip()
    groups = page.evaluate(GROUPS_ON_ONE_LINE, "case-secret")
    assert len(groups) == 5
    assert groups == [1] * 5  # the secret breaks between groups only
    accessible(page)
    page.get_by_role("button", name="Copiar: Clave secreta").click()
    page.wait_for_selector('button.copy[data-copy="case-secret"][data-state="copied"]')
    assert page.evaluate("() => navigator.clipboard.readText()") == secret
    shot(page, "01-clave-copiada")
    page.get_by_role("link", name="Continuar a mi caso").click()

    # what happens next, who the hotline is, how long data is kept, advice for an adult
    page.wait_for_url("**/case")
    accessible(page)
    assert page.get_by_role("heading", name="Qué pasa ahora").is_visible()
    assert page.get_by_text(
        "Una persona de Línea de ayuda de prueba revisa su caso en un plazo de 24 horas."
    ).is_visible()
    assert page.get_by_text("La plataforma debe responder en un plazo de 48 horas").is_visible()
    assert "180 días después de cerrarse" in page.locator("#retention").inner_text()
    hotline_box = page.locator("#hotline").inner_text()
    assert "+34 900 000 000" in hotline_box
    assert "ayuda@hotline.example" in hotline_box
    assert page.get_by_role("heading", name="Consejos: no está sola ni solo").is_visible()
    assert "Canal Prioritario" in page.locator("#advice").inner_text()
    shot(page, "02-que-pasa-ahora")

    # three pictures fingerprinted on the phone; previews kept on the phone only
    files = pictures(tmp_path / "galeria")
    page.get_by_label("Imágenes de las que sacar la huella").set_input_files(files)
    page.wait_for_selector('#hash-form[data-state="ready"]', timeout=60_000)
    page.get_by_role("button", name="Enviar las huellas").click()
    page.wait_for_url("**/case?done=hashes*")
    page.wait_for_selector("body[data-thumbs]")
    assert page.locator("body").get_attribute("data-thumbs") == "3"
    assert page.locator('#items li[data-kind="hash"] img.thumb-img').count() == 3
    blurred = page.locator("img.thumb-img").first.evaluate("(el) => getComputedStyle(el).filter")
    assert "blur" in blurred  # blurred until she asks
    accessible(page)
    page.get_by_role("button", name="Mostrar las vistas previas").click()
    assert page.locator("img.thumb-img").first.evaluate("(el) => getComputedStyle(el).filter") == (
        "none"
    )
    # times in her own time zone, in Spanish, not UTC
    times = page.locator("#items time").all_inner_texts()
    assert times
    assert all("UTC" not in t for t in times)
    added = cases.items(number)[0].created_at.astimezone(MADRID)
    assert f"{added.hour}:{added.minute:02d}" in times[0]
    assert page.locator("#items time").first.get_attribute("title", timeout=1000) is not None
    shot(page, "03-vistas-previas")

    # one wrong picture removed (asked first)
    first_hash = page.locator('#items li[data-kind="hash"]').first
    removed_id = int(first_hash.get_attribute("data-item") or 0)
    first_hash.get_by_role("button", name="Quitar").click()
    assert page.get_by_role("heading", name="¿Quitar este elemento de su caso?").is_visible()
    page.wait_for_selector("body[data-thumbs]")  # the previews are read from IndexedDB
    assert page.locator("#remove-item img.thumb-img").count() == 1  # she sees which one
    accessible(page)
    shot(page, "04-quitar")
    page.get_by_role("button", name="Sí, quitarlo").click()
    page.wait_for_url("**/case?done=removed")
    assert page.get_by_text("El elemento se ha quitado de su caso.").is_visible()
    assert page.locator('#items li[data-kind="hash"]').count() == 2
    assert removed_id not in [i.id for i in cases.items(number)]

    # a link, and the notice the hotline sent for it: its status and deadline, local time
    page.get_by_label("Enlaces, uno por línea").fill("https://www.tiktok.com/@perfil/video/7301")
    page.get_by_role("button", name="Añadir los enlaces").click()
    page.wait_for_url("**/case?done=urls*")
    link_line = page.locator('#items li[data-kind="url"]').inner_text()
    assert "aún sin solicitud de retirada" in link_line
    sent = utcnow()
    case_row = cases.get(number)
    with hotline.services.db.transaction() as session:
        link = session.scalar(select(CaseItem).where(CaseItem.kind == "url"))
        assert link is not None
        session.add(
            Notice(
                reference="N-ES-1",
                case_id=case_row.id,
                item_id=link.id,
                platform="tiktok",
                url=link.url or "",
                law="dsa",
                channel="email",
                recipient="dsa@tiktok.example",
                status="sent",
                created_at=sent,
                sent_at=sent,
                deadline_at=sent + timedelta(hours=48),
            )
        )
    page.reload()
    status = page.locator('#items li[data-kind="url"] .link-status').inner_text()
    deadline = (sent + timedelta(hours=48)).astimezone(MADRID)
    assert status.startswith("enviada · respuesta antes del ")
    assert f"{deadline.hour}:{deadline.minute:02d}" in status
    assert "UTC" not in status

    # invitation codes: a new one for another family, listed; revoking it ends only that one
    page.get_by_role("button", name="Crear un código de invitación nuevo").click()
    code = page.locator("#invitation-code").inner_text().strip()
    assert page.evaluate(GROUPS_ON_ONE_LINE, "invitation-code") == [1] * 5
    accessible(page)
    page.get_by_role("button", name="Copiar").click()
    page.wait_for_selector('button.copy[data-state="copied"]')
    assert page.evaluate("() => navigator.clipboard.readText()") == code
    shot(page, "05-codigo")
    page.get_by_role("link", name="Ya lo he apuntado: volver a mi caso").click()
    page.wait_for_url("**/case")
    listed = page.locator("#invitations li")
    assert listed.count() == 1
    assert code[:8] in listed.first.inner_text()
    listed.first.get_by_role("button", name="Revocar").click()
    page.wait_for_url("**/case?done=revoked")
    assert page.locator('#invitations li[data-state="revoked"]').count() == 1
    shot(page, "06-codigo-revocado")
    late, _ = cases.create(language="es")
    with pytest.raises(NotFound):
        cases.join(late.number, code)
    cases.join(late.number, their_code)  # the other families' code still works

    # email updates: on, then the hotline does something; the mail says only "sign in"
    page.get_by_role("button", name="Avisarme por correo cuando algo cambie").click()
    page.wait_for_url("**/case?done=updates_on")
    assert page.locator("#updates-state").is_visible()
    accessible(page)
    shot(page, "07-avisos-por-correo")
    cases.set_status(number, "in_progress", actor="analyst:ana")
    deadline_at = time.monotonic() + 20
    while not smtp.inbox.messages and time.monotonic() < deadline_at:
        time.sleep(0.1)
    [(_, recipients, raw)] = smtp.inbox.messages
    assert recipients == [ADDRESS]
    assert number.encode() not in raw
    assert b"tiktok" not in raw
    assert b"https://bouclier.example/case/login" in raw

    # the police summary: Spanish, readable, local times, the hotline, the other family
    with hotline.services.db.transaction() as session:
        record_reupload(
            session,
            case_ref=number,
            entry_id=None,
            platform="tiktok",
            url="https://www.tiktok.com/@otro/video/9",
        )
        notice = session.scalar(select(Notice).where(Notice.reference == "N-ES-1"))
        assert notice is not None
        notice.status, notice.answered_at = "removed", utcnow()
        notice.answer = "Contenido retirado por la plataforma"
    with page.expect_download() as info:
        page.get_by_role("button", name="Descargar el paquete de pruebas").click()
    target = tmp_path / "paquete.zip"
    info.value.save_as(target)
    text = pdf_text(zipfile.ZipFile(io.BytesIO(target.read_bytes())).read("summary.pdf"))
    for words in (
        f"Caso {number}",
        "Elementos denunciados",
        "huella de imagen",
        "imagen retirada",
        "DSA de la UE",  # the law in words (it wraps in its column)
        "L\xednea de ayuda de prueba",  # latin-1 in the PDF's text
        "+34 900 000 000",
        "https://www.tiktok.com/@otro/video/9",
        "Contenido retirado por la plataforma",
        other_family.number,
        "Europe/Madrid",
    ):
        assert words in text, words
    for raw_code in ("in_progress", "take_it_down", "Items reported", "UTC"):
        assert raw_code not in text, raw_code
    assert f"({deadline:%d/%m/%Y %H:%M}) Tj" in text  # a time on one line, in Madrid

    # nothing she did sent a picture or a preview
    heads = [path.read_bytes()[:64] for path in files]
    for request in recorded.requests:
        body = request.post_data_buffer or b""
        assert "multipart" not in request.headers.get("content-type", "")
        assert not any(head in body for head in heads)
        assert b"\xff\xd8\xff" not in body  # no JPEG (the previews are JPEGs)
        if request.method == "POST" and request.url.endswith("/case/hashes"):
            assert set(parse_qs(body.decode())) == {"csrf_token", "hashes"}
    with hotline.services.db.transaction() as session:
        assert session.scalar(select(Case.email_updates).where(Case.number == number))
