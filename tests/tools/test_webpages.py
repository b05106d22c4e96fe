"""Real saved web pages: the article's sentences whole, little else indexed (fast: no model)."""
from rag.tools.webpages import evaluate_web_pages
from tests.conftest import shared_bench


def test_saved_web_pages_index_their_article_and_little_else():
    report = evaluate_web_pages(shared_bench("web-pages"))
    article, page = report["article"], report["page"]
    assert report["pages"] == 30
    assert article["whole_prose"] >= 0.98 and article["ratio_p90"] <= 1.3  # the targets
    assert article["ratio_p90"] < page["ratio_p90"] / 1.5  # menus and "related stories" gone
    assert article["whole_prose"] >= page["whole_prose"] - 0.005  # and no article sentence lost for it
