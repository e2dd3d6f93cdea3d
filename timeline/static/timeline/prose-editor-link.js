// The body editor's links keep the address the editor typed. Tiptap would blank one it does not
// allow (javascript:, tel:, …) and the link would vanish without a word; kept, it reaches the
// server, whose one rule (timeline/text.py, body_link) normalises it or names it in a message
// beside the body. The editor never follows links, and the stored body is always sanitised.
import { Link as ProseEditorLink } from "django-prose-editor/editor"

export const Link = ProseEditorLink.extend({
  addOptions() {
    return { ...this.parent?.(), isAllowedUri: () => true }
  },
})
