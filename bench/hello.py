"""The ceiling: a bare Flask app served by gunicorn with the same settings as Consult."""

from flask import Flask

app = Flask(__name__)


# POST too, so that the comment-submission scenario has a ceiling with the same requests.
@app.route("/", methods=["GET", "POST"])
def hello():
    return "hello"
