"""`grounding.verifier: llm`: the configured LLM judges whether the cited sentence supports each
sentence another LLM wrote, as RAGAS and ALCE use a judge. It must answer in strict JSON; its
judgements are cached by claim and evidence. When it fails (no reply, a reply that is not the JSON
asked for) the local verifier decides, and the reason says so.
"""
from __future__ import annotations

import functools
import json
import re

from rag.answering.verifier import Claim, Evidence, Verdict, Verifier
from rag.errors import ProviderError

PROMPT = (
    "You check whether a passage supports a claim. Reply with one JSON object and nothing else: "
    '{"verdict": "supported" | "unsupported" | "contradicted", "reason": "<one short sentence>"}. '
    "supported: the passage states everything the claim says. contradicted: the passage says something "
    "the claim cannot be true with. unsupported: the passage does not say it."
)
_OBJECT = re.compile(r"\{.*?\}", re.S)
STATUSES = ("supported", "unsupported", "contradicted")
CACHED = 4096


def parse_judgement(reply: str) -> Verdict | None:
    """The verdict in a judge's reply, or None when the reply holds no JSON object of that shape."""
    for match in _OBJECT.finditer(reply or ""):
        try:
            found = json.loads(match[0])
        except ValueError:
            continue
        status = str(found.get("verdict", "")).strip().lower() if isinstance(found, dict) else ""
        if status in STATUSES:
            reason = str(found.get("reason") or "").strip() or None
            return Verdict(status, None if status == "supported" else reason or "The judge gave no reason.", "llm")
    return None


class JudgedVerifier:
    """The Verifier interface, answered by an LLM judge with the local verifier behind it."""

    def __init__(self, llm, model: str, local: Verifier):
        self.llm, self.model, self.local = llm, model, local
        self.verify = functools.lru_cache(maxsize=CACHED)(self._judge)  # Claim and Evidence are frozen: hashable

    def _judge(self, claim: Claim, evidence: Evidence) -> Verdict:
        passage = " ".join(evidence.sentences)
        context = f"(From: {evidence.context.strip()})\n" if evidence.context.strip() else ""
        messages = [{"role": "system", "content": PROMPT},
                    {"role": "user", "content": f"Passage:\n{context}{passage}\n\nClaim: {claim.text}\n\nJSON:"}]
        try:
            verdict = parse_judgement(self.llm.complete(self.model, messages))
            failure = f"{self.model} gave no verdict in the JSON asked for"
        except ProviderError as exc:
            verdict, failure = None, str(exc).rstrip(".")
        if verdict is not None:
            return verdict
        local = self.local.verify(claim, evidence)
        if local.supported:
            return local
        return Verdict(local.status, f"{local.reason} (The judge could not decide: {failure}.)", local.check)
