"""Ratings: POST /api/answers/{answer_id}/feedback, a thumbs up or down (and a comment) on an answer."""
from __future__ import annotations

from fastapi import APIRouter

from rag.api.models import FeedbackRequest, FeedbackView


def routes(service, writer) -> APIRouter:
    router = APIRouter(prefix="/api/answers", tags=["feedback"])

    # Open as /api/ask is: whoever got an answer may rate it, and only they know its random id.
    @router.post("/{answer_id}/feedback", response_model=FeedbackView)
    def feedback(answer_id: str, body: FeedbackRequest) -> dict:
        return service.rate(answer_id, body.rating, body.comment, body.correct_source)

    return router
