import { cleanup } from "@testing-library/react";
import { afterEach, vi } from "vitest";

// the first antd render of a file takes seconds in a DOM emulation on a busy machine
vi.setConfig({ testTimeout: 20_000 });

// antd reads media queries and element sizes the DOM emulation may not implement
if (!window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}
if (!window.ResizeObserver) {
  window.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}
const style = window.getComputedStyle;
window.getComputedStyle = (el: Element) => style(el);

afterEach(cleanup);
