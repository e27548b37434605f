"""The client comment of an appeal filled from the chosen work types' comment texts."""

from collections.abc import Iterable


def comment_with_work_types(comment: str | None, texts: Iterable[str | None]) -> str:
	"""The operator's words as they are, then each work type's text that is not in them yet, one a
	line; empty texts and repeats are skipped."""
	result = (comment or "").rstrip()
	for text in texts:
		text = (text or "").strip()
		if text and text not in result:
			result = f"{result}\n{text}" if result else text
	return result
