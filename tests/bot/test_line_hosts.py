"""LINE's two hosts and its profile endpoints, as the bot uses them.

The rich-menu image goes to api-data.line.me (LINE_API_DATA_BASE_URL), everything else to
api.line.me; the fake LINE serves each operation only on its own host (404 on the other, as
LINE does), so sending the image to the api host cannot come back unnoticed. A member's name
is asked where LINE keeps it: the group's member endpoint in a group, the room's in a room, the
profile endpoint in a 1:1 chat."""
import io
import json
import urllib.request

import pytest

from bot.line import spec as linespec
from bot.config import from_env
from bot.line.fakeline import API, DATA, ROUTES, FakeLine
from bot.line.client import Line
from bot.line.richmenu import menu_request
from tests.helpers import post, text_event

SPEC = linespec.load()
G = "Cgroup0000000000000000000000000001"
R = "Rroom00000000000000000000000000001"
U = "Uofficer000000000000000000000000a1"


def png() -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (2500, 843), "green").save(out, "PNG")
    return out.getvalue()


def call(url: str, method: str = "POST", body: bytes = b"{}",
         content_type: str = "application/json") -> int:
    req = urllib.request.Request(url, body if method == "POST" else None, method=method,
                                 headers={"Authorization": "Bearer x",
                                          "Content-Type": content_type})
    try:
        return urllib.request.urlopen(req, timeout=5).status
    except urllib.error.HTTPError as exc:
        return exc.code


# --- the fake's routes are LINE's ----------------------------------------------------------
@pytest.mark.parametrize("method,pattern,host,_fn", ROUTES, ids=[r[1] for r in ROUTES])
def test_every_route_of_the_fake_is_an_operation_of_lines_spec_on_the_same_host(
        method, pattern, host, _fn):
    sample = pattern.replace("([^/]+)", "X1")
    op = SPEC.operation(method, sample)
    assert op is not None, f"{method} {sample} is not in messaging-api.yml"
    assert op.host == {API: linespec.API_HOST, DATA: linespec.DATA_HOST}[host]


def test_only_upload_and_download_of_content_live_on_the_data_host():
    """What messaging-api.yml puts on api-data.line.me (the SDK's MessagingApiBlob)."""
    data_ops = {o.operation_id for o in SPEC.operations if o.host == linespec.DATA_HOST}
    assert "setRichMenuImage" in data_ops and "getMessageContent" in data_ops
    assert not data_ops & {"replyMessage", "pushMessage", "createRichMenu", "getProfile",
                           "setDefaultRichMenu", "getRoomMemberProfile"}


def test_each_host_refuses_the_others_operations_and_unknown_paths():
    with FakeLine() as fake:
        reply = json.dumps({"replyToken": "r1", "messages": [{"type": "text", "text": "x"}]})
        assert call(fake.data_url + "/v2/bot/message/reply", body=reply.encode()) == 404
        assert call(fake.data_url + f"/v2/bot/profile/{U}", "GET") == 404
        assert call(fake.url + "/v2/bot/richmenu", body=json.dumps(menu_request()).encode()) == 200
        menu = next(iter(fake.rich_menus))
        content = f"/v2/bot/richmenu/{menu}/content"
        assert call(fake.url + content, body=b"\x89PNG", content_type="image/png") == 404
        assert "image" not in fake.rich_menus[menu]
        assert call(fake.data_url + content, body=b"\x89PNG", content_type="image/png") == 200
        assert fake.rich_menus[menu]["image"] == b"\x89PNG"
        assert call(fake.url + "/v2/bot/no/such/path", "GET") == 404
        assert call(fake.data_url + "/v2/bot/no/such/path", "GET") == 404
        assert call(fake.url + "/v2/bot/message/reply", body=reply.encode()) == 200
        assert [(h, s) for h, _, _, s in fake.calls] == [
            (DATA, 404), (DATA, 404), (API, 200), (API, 404), (DATA, 200), (API, 404),
            (DATA, 404), (API, 200)]


def test_the_fake_answers_an_invalid_body_like_line():
    with FakeLine() as fake:
        bad = {"replyToken": "r1", "messages": [{"type": "text", "text": "ก" * 5001}]}
        req = urllib.request.Request(fake.url + "/v2/bot/message/reply",
                                     json.dumps(bad).encode(), method="POST", headers={
                                         "Authorization": "Bearer x",
                                         "Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as got:
            urllib.request.urlopen(req, timeout=5)
        assert got.value.code == 400
        answer = json.loads(got.value.read())
        assert answer["message"] == "The request body has 1 error(s)"
        assert answer["details"][0]["property"] == "messages[0].text"
        assert fake.invalid and fake.invalid[0][0] == "/v2/bot/message/reply"
        assert not fake.replies
        fake.invalid.clear()


# --- the rich menu: created on api, image on data ----------------------------------------
def test_rich_menu_install_puts_the_image_on_the_data_host():
    image = png()
    with FakeLine() as fake:
        line = Line(fake.url, "token", data_base_url=fake.data_url)
        menu = line.install_default_rich_menu(menu_request(), image)
        assert fake.default_rich_menu == menu
        assert fake.rich_menus[menu]["image"] == image
        assert fake.rich_menus[menu]["content_type"] == "image/png"
        assert [(h, m, p) for h, m, p, _ in fake.calls] == [
            (API, "POST", "/v2/bot/richmenu"),
            (DATA, "POST", f"/v2/bot/richmenu/{menu}/content"),
            (API, "POST", f"/v2/bot/user/all/richmenu/{menu}")]
        assert not fake.invalid


def test_an_image_sent_to_the_api_host_is_refused():
    """The old mistake (the blob API on the api host's client): LINE answers 404, so does
    the fake, and the install fails instead of leaving a menu without an image as default."""
    with FakeLine() as fake:
        line = Line(fake.url, "token", data_base_url=fake.url)
        with pytest.raises(Exception) as got:
            line.install_default_rich_menu(menu_request(), png())
        assert getattr(got.value, "status", None) == 404
        assert fake.default_rich_menu is None
        assert (API, "POST", "/v2/bot/richmenu/richmenu-0001/content", 404) in fake.calls


def test_the_app_sends_the_image_to_its_configured_data_host(app, fake_line):
    image = png()
    menu = app.extensions["nongpat"].line.install_default_rich_menu(menu_request(), image)
    assert fake_line.rich_menus[menu]["image"] == image
    assert (DATA, "POST", f"/v2/bot/richmenu/{menu}/content", 200) in fake_line.calls


def test_the_data_host_is_configured_from_the_environment(monkeypatch):
    monkeypatch.delenv("LINE_API_BASE_URL", raising=False)
    monkeypatch.delenv("LINE_API_DATA_BASE_URL", raising=False)
    got = from_env()
    assert (got["LINE_API_BASE_URL"], got["LINE_API_DATA_BASE_URL"]) == (
        "https://api.line.me", "https://api-data.line.me")
    monkeypatch.setenv("LINE_API_DATA_BASE_URL", "http://127.0.0.1:8100")
    assert from_env()["LINE_API_DATA_BASE_URL"] == "http://127.0.0.1:8100"
    assert Line().data_base_url == "https://api-data.line.me"


# --- names from the endpoint of the chat's kind ------------------------------------------
def profile_requests(fake) -> list[str]:
    return [p for m, p in fake.requests
            if m == "GET" and ("/member/" in p or p.startswith("/v2/bot/profile/"))]


def say_in(app, fake, source: dict, text: str = "ยอด") -> None:
    ev = text_event(text, user=U)
    ev["source"] = source
    assert post(app.test_client(), ev).status_code == 200
    svc = app.extensions["nongpat"]
    assert fake.wait_for(lambda f: profile_requests(f), timeout=5)
    svc.line.drain()


def test_a_log_in_a_group_asks_the_group_member_endpoint(app, fake_line, chat):
    chat.bind(G)
    fake_line.requests.clear()
    fake_line.names[U] = "สมศรี ในกลุ่ม"
    say_in(app, fake_line, {"type": "group", "groupId": G, "userId": U},
           "บันทึก จปฐ 10 ครัวเรือน")
    assert profile_requests(fake_line) == [f"/v2/bot/group/{G}/member/{U}"]


def test_a_log_in_a_room_asks_the_room_member_endpoint(app, fake_line):
    fake_line.names[U] = "สมศรี ในห้อง"
    say_in(app, fake_line, {"type": "room", "roomId": R, "userId": U},
           "บันทึก จปฐ 10 ครัวเรือน")
    assert profile_requests(fake_line) == [f"/v2/bot/room/{R}/member/{U}"]


def test_a_log_in_a_1to1_chat_asks_the_profile_endpoint(app, fake_line):
    say_in(app, fake_line, {"type": "user", "userId": U}, "บันทึก จปฐ 10 ครัวเรือน")
    assert profile_requests(fake_line) == [f"/v2/bot/profile/{U}"]


def test_display_name_picks_the_endpoint_by_source():
    with FakeLine() as fake:
        fake.names[U] = "สมหญิง"
        line = Line(fake.url, "token", data_base_url=fake.data_url)
        assert line.display_name(U, group_id=G) == "สมหญิง"
        assert line.display_name(U, room_id=R) == "สมหญิง"
        assert line.display_name(U) == "สมหญิง"
        assert [p for _, p in fake.requests] == [
            f"/v2/bot/group/{G}/member/{U}", f"/v2/bot/room/{R}/member/{U}",
            f"/v2/bot/profile/{U}"]
        fake.profile_status = 404
        assert line.display_name(U, room_id=R) is None


def test_the_bots_own_reply_path_is_validated():
    """Line.reply's hand-built JSON goes through the same check: a Flex card with a component
    LINE does not have is refused (400), recorded, and reported as not sent."""
    from bot.line.messages import Flex, Reply
    with FakeLine() as fake:
        line = Line(fake.url, "token", data_base_url=fake.data_url)
        card = {"type": "bubble", "body": {"type": "box", "layout": "vertical",
                                           "contents": [{"type": "txt", "text": "x"}]}}
        assert line.reply("rt-bad", Reply(flex=[Flex("ยอด", card)])) is False
        assert [p for p, _ in fake.invalid] == ["/v2/bot/message/reply"]
        assert "messages[0].contents.body.contents[0].type" in fake.invalid[0][1]
        assert not fake.replies
