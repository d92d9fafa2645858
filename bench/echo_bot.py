"""The echo bot of line-bot-sdk's README (v3), as a yardstick for bench/webhook.py.

Flask + ``linebot.v3.WebhookHandler`` (signature check and event parsing) + ``MessagingApi
.reply_message_with_http_info`` echoing the text, as the SDK's documentation shows it. Started
like our bot: ``gunicorn -c gunicorn.conf.py bench.echo_bot:app`` (same workers, same worker
class). ``LINE_API_BASE_URL`` points it at the fake LINE server; ``/healthz`` is only there so
the benchmark knows it is up.
"""
import os

from flask import Flask, abort, request
from linebot.v3 import WebhookHandler
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (ApiClient, Configuration, MessagingApi, ReplyMessageRequest,
                                  TextMessage)
from linebot.v3.webhooks import MessageEvent, TextMessageContent

app = Flask(__name__)

configuration = Configuration(access_token=os.environ["LINE_CHANNEL_ACCESS_TOKEN"],
                              host=os.environ.get("LINE_API_BASE_URL", "https://api.line.me"))
handler = WebhookHandler(os.environ["LINE_CHANNEL_SECRET"])


@app.route("/callback", methods=["POST"])
def callback():
    # get X-Line-Signature header value
    signature = request.headers["X-Line-Signature"]

    # get request body as text
    body = request.get_data(as_text=True)
    app.logger.info("Request body: " + body)

    # handle webhook body
    try:
        handler.handle(body, signature)
    except InvalidSignatureError:
        app.logger.info("Invalid signature. Please check your channel access token/channel secret.")
        abort(400)

    return "OK"


@handler.add(MessageEvent, message=TextMessageContent)
def handle_message(event):
    with ApiClient(configuration) as api_client:
        line_bot_api = MessagingApi(api_client)
        line_bot_api.reply_message_with_http_info(
            ReplyMessageRequest(
                reply_token=event.reply_token,
                messages=[TextMessage(text=event.message.text)]
            )
        )


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
