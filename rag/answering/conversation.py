"""Follow-up questions: turn "Where did they meet?" into a query retrieval can use.

With an LLM configured, the model rewrites the follow-up as a standalone question; without
one (or when it fails) a rule adds the names the previous question was about.
"""
from __future__ import annotations

import re
from typing import Callable

from rag.errors import UserInputError

FOLLOW_UP = re.compile(
    r"\b(he|she|it|they|them|his|her|hers|its|their|theirs|this|that|these|those|there|then|"
    r"him|the same|the other|more|else|also)\b|^(and|but|so|what about|how about|why|and why)\b", re.I)
QUESTION_OPENERS = {"What", "Who", "Whom", "Where", "When", "Why", "How", "Which", "Did", "Does",
                    "Do", "Is", "Are", "Was", "Were", "Can", "Could", "Should", "Would", "Tell", "And", "The"}
REWRITE_PROMPT = (
    "Rewrite the last question so it can be understood without the conversation. "
    "Reply with the rewritten question only.\n\nConversation:\n{conversation}\n\nLast question: {question}"
)
MAX_TURNS = 20


def check_history(history) -> list[dict]:
    if history is None:
        return []
    if not isinstance(history, list) or len(history) > 2 * MAX_TURNS:
        raise UserInputError(f"history must be a list of at most {2 * MAX_TURNS} messages.")
    turns = []
    for turn in history:
        if not isinstance(turn, dict) or turn.get("role") not in ("user", "assistant") \
                or not isinstance(turn.get("content"), str):
            raise UserInputError('Each history message needs "role" ("user" or "assistant") and "content".')
        turns.append({"role": turn["role"], "content": turn["content"][:4000]})
    return turns


def condense(question: str, history: list[dict], rewrite: Callable[[str], str] | None = None) -> str:
    """A standalone query for retrieval; the question itself when there is no history."""
    previous = [t["content"] for t in history if t["role"] == "user"]
    if not previous or not is_follow_up(question):
        return question
    if rewrite is not None:
        rewritten = _model_rewrite(question, history, rewrite)
        if rewritten:
            return rewritten
    names = [w for w in _names(previous[-1]) if w.lower() not in question.lower()]
    return f"{question} ({' '.join(names)})" if names else f"{question} ({previous[-1]})"


def is_follow_up(question: str) -> bool:
    return bool(FOLLOW_UP.search(question)) or len(re.findall(r"\w+", question)) <= 3


def _names(text: str) -> list[str]:
    words = re.findall(r"\b[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*", text)
    seen = []
    for word in words:
        word = " ".join(w for w in word.split() if w not in QUESTION_OPENERS)
        if word and word not in seen:
            seen.append(word)
    return seen


def _model_rewrite(question: str, history: list[dict], rewrite: Callable[[str], str]) -> str | None:
    from rag.errors import ProviderError

    conversation = "\n".join(f"{t['role']}: {t['content'][:500]}" for t in history[-4:])
    try:
        text = rewrite(REWRITE_PROMPT.format(conversation=conversation, question=question)).strip()
    except ProviderError:
        return None
    text = text.splitlines()[0].strip().strip('"') if text else ""
    return text if 3 <= len(text) <= 300 and text.endswith("?") else None
