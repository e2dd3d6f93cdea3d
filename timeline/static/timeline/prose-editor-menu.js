// The rich-text editor's toolbar in the editor's language.
//
// django-prose-editor 0.28 passes the words of its dialogs through gettext (the admin's JavaScript
// catalog, admin:jsi18n, which holds the project's German for them) but writes the toolbar's
// titles and the names in its block-type list in English ("bold", "Heading 2", "paragraph").
// This Menu, registered in settings.DJANGO_PROSE_EDITOR_EXTENSIONS (the package's way to replace
// an extension), passes every menu item's button and option through the same catalog before the
// toolbar is built from them; "Heading 2" is read as "Heading %s" with the number put back.
import { Menu as BaseMenu } from "django-prose-editor/editor"

const gettext = window.gettext || ((text) => text)
const interpolate = window.interpolate || ((format, values) => format.replace("%s", values[0]))
// Every group the package and its extensions file menu items under.
const GROUPS = "blockType nodes headings lists marks link textAlign table history utility nodeClass textClass"

function translate(text) {
  const translated = gettext(text)
  if (translated !== text) return translated
  const numbered = /^(.*\D)(\d+)$/.exec(text)
  if (numbered) {
    const format = `${numbered[1]}%s`
    const translatedFormat = gettext(format)
    if (translatedFormat !== format) return interpolate(translatedFormat, [numbered[2]])
  }
  return text
}

function translateElement(element) {
  if (!element) return
  for (const attribute of ["title", "aria-label"]) {
    const text = element.getAttribute(attribute)
    if (text) element.setAttribute(attribute, translate(text))
  }
  // A material icon's text is the icon's name, not a word; an option's text is its label.
  if (!element.classList.contains("material-icons") && element.childElementCount === 0 && element.textContent) {
    element.textContent = translate(element.textContent)
  }
}

export const Menu = BaseMenu.extend({
  // The last extension, so that every other one (Link's "insert link" too) has defined its items
  // when these are translated.
  priority: 1,

  addMenuItems({ menu }) {
    for (const item of menu.items(GROUPS)) {
      translateElement(item.button)
      translateElement(item.option)
    }
  },
})
