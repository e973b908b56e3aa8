import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { type Lang, LangProvider } from "../src/i18n.tsx";

/** Renders a component as the app does, in a language. */
export const renderIn = (ui: ReactElement, lang: Lang = "zh") =>
  render(<LangProvider initial={lang}>{ui}</LangProvider>);
