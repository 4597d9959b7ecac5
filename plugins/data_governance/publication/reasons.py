"""Why a risk of a publication check has its verdict, in the reader's language, naming only
what the reader may see (a record above their clearance is "a protected record")."""

from __future__ import annotations

from .risks import NOVELTY_LOSS, SECRET_DISCLOSURE, THIRD_PARTY_TEXT

__all__ = ["reason"]

_TEXTS: dict[tuple[str, str], tuple[str, str]] = {
    (SECRET_DISCLOSURE, "block"): (
        "The text reproduces a trade secret{refs}: remove those passages or have the "
        "secret's owner approve the disclosure.",
        "文本复述了商业秘密{refs}：请删除相关段落，或经该秘密的负责人批准后再披露。"),
    (SECRET_DISCLOSURE, "review"): (
        "The text resembles a trade secret{refs}: have its owner review the passages.",
        "文本与商业秘密{refs}相似：请由其负责人审阅相关段落。"),
    (SECRET_DISCLOSURE, "clear"): (
        "No trade secret of the register resembles the text.",
        "商业秘密登记册中没有与该文本相似的秘密。"),
    (NOVELTY_LOSS, "block"): (
        "The text discloses a technical solution not yet filed{refs}: publishing it would "
        "destroy the novelty a patent application needs; file first or drop the passages.",
        "文本披露了尚未申请专利的技术方案{refs}：发表将破坏专利申请所需的新颖性；请先提交申请或删除相关段落。"),
    (NOVELTY_LOSS, "review"): (
        "The text resembles a technical solution not yet filed{refs}: check with the IP "
        "department before publishing.",
        "文本与尚未申请专利的技术方案{refs}相似：发表前请与知识产权部门确认。"),
    (NOVELTY_LOSS, "clear"): (
        "No unfiled technical solution resembles the text.",
        "没有与该文本相似的未申请技术方案。"),
    (THIRD_PARTY_TEXT, "review"): (
        "The text copies wording of third-party documents{refs}: quote and cite it, or obtain "
        "permission (publishing does not infringe their patents; copying their words may "
        "infringe copyright).",
        "文本照搬了第三方文献的表述{refs}：请注明引用或取得许可（发表文章不构成专利侵权，但照搬他人文字可能侵犯著作权）。"),
    (THIRD_PARTY_TEXT, "clear"): (
        "No wording of third-party documents in the screened collections is copied (images "
        "are not screened).",
        "未发现照搬已筛查文献集中第三方文献的表述（图片不在筛查范围内）。"),
}
_PROTECTED = (" A protected record above your clearance matched; its owner can tell you more.",
              "与您的密级权限以上的受保护记录匹配；详情请询问其负责人。")


def reason(risk: str, verdict: str, refs: list[str], *, protected: bool,
           locale: str | None) -> str:
    """The reason for ``verdict`` of ``risk``; ``refs`` are the records the reader may see,
    ``protected`` says that one they may not see matched."""
    zh = locale == "zh-CN"
    texts = _TEXTS.get((risk, verdict)) or _TEXTS[(risk, "clear")]
    names = ", ".join(refs)
    shown = (f"（{names}）" if zh else f" ({names})") if names else ""
    message = texts[1 if zh else 0].format(refs=shown)
    return message + _PROTECTED[1 if zh else 0] if protected else message
