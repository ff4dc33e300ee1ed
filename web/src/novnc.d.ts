// The part of noVNC's RFB class the console page uses (noVNC ships no type declarations).
declare module '@novnc/novnc' {
  export default class RFB extends EventTarget {
    constructor(target: HTMLElement, urlOrChannel: string | WebSocket, options?: Record<string, unknown>)
    scaleViewport: boolean
    disconnect(): void
    sendCtrlAltDel(): void
    clipboardPasteFrom(text: string): void
  }
}
