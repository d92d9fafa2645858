# The two commands a newcomer needs:  make run  (start the bot)  ·  make test  (run the tests)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PYTHAINLP_OFFLINE := 1

.PHONY: run test clock chat install richmenu

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

install: $(BIN)/.installed

run: $(BIN)/.installed
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

clock: $(BIN)/.installed
	$(BIN)/python -m reminders.clock

chat: $(BIN)/.installed
	$(BIN)/flask chat --group ban-pong --user U123

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q

# Draw the 1:1 rich menu (needs a Thai font: installed here with Debian's fonts-thai-tlwg)
richmenu: $(BIN)/.installed
	bash .ci/install-browser
	$(BIN)/flask richmenu install --save instance/richmenu.png
