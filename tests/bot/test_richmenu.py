"""flask richmenu install: a generated Thai image, created and set as default through LINE's API."""
import io

import pytest

from bot.line.richmenu import BUTTONS, HEIGHT, WIDTH, NoThaiFont, menu_request, thai_font_path


def have_font():
    try:
        thai_font_path()
        return True
    except NoThaiFont:
        return False


def test_menu_areas_cover_the_image_once():
    req = menu_request()
    areas = req["areas"]
    assert [a["action"]["text"] for a in areas] == ["ยอด", "ยอดรวมจังหวัด", "กำหนดส่ง", "วิธีใช้"]
    assert sum(a["bounds"]["width"] for a in areas) == WIDTH
    assert all(a["bounds"]["height"] == HEIGHT for a in areas)


@pytest.mark.skipif(not have_font(), reason="no Thai font: .ci/install-browser installs fonts-thai-tlwg")
def test_install_through_the_messaging_api(app, fake_line, tmp_path):
    from PIL import Image
    out = tmp_path / "menu.png"
    result = app.test_cli_runner().invoke(args=["richmenu", "install", "--save", str(out)])
    assert result.exit_code == 0, result.output
    assert fake_line.default_rich_menu in fake_line.rich_menus
    menu = fake_line.rich_menus[fake_line.default_rich_menu]
    assert menu["content_type"] == "image/png"
    img = Image.open(io.BytesIO(menu["image"]))
    assert img.size == (WIDTH, HEIGHT)
    assert menu["request"]["chatBarText"] == "เมนูน้องพัฒน์"
    # each button's label is drawn: its column is not a flat colour
    for i in range(len(BUTTONS)):
        col = img.crop((i * WIDTH // 4 + 100, 200, (i + 1) * WIDTH // 4 - 100, HEIGHT - 200))
        assert len(col.getcolors(maxcolors=100000)) > 10
    assert out.read_bytes() == menu["image"]


def test_install_fails_clearly_without_a_token(make_app):
    if not have_font():
        pytest.skip("no Thai font")
    result = make_app(LINE_CHANNEL_ACCESS_TOKEN=None).test_cli_runner().invoke(
        args=["richmenu", "install"])
    assert result.exit_code != 0 and "LINE_CHANNEL_ACCESS_TOKEN" in result.output


def test_install_command_puts_the_image_on_lines_data_host(app, fake_line, monkeypatch):
    """`flask richmenu install` without a Thai font on this machine (the drawing is
    stubbed): the menu is created on api.line.me, its image uploaded to api-data.line.me
    (LINE_API_DATA_BASE_URL), then made the default on api.line.me."""
    import bot.line.richmenu
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (WIDTH, HEIGHT), "#1DB446").save(out, "PNG")
    monkeypatch.setattr(bot.line.richmenu, "render_png", lambda: out.getvalue())
    result = app.test_cli_runner().invoke(args=["richmenu", "install"])
    assert result.exit_code == 0, result.output
    menu = fake_line.default_rich_menu
    assert fake_line.rich_menus[menu]["image"] == out.getvalue()
    assert [(host, method, path, status) for host, method, path, status in fake_line.calls] == [
        ("api", "POST", "/v2/bot/richmenu", 200),
        ("data", "POST", f"/v2/bot/richmenu/{menu}/content", 200),
        ("api", "POST", f"/v2/bot/user/all/richmenu/{menu}", 200)]
