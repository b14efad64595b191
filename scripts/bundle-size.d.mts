export interface SurfaceSize {
  files: string[]
  raw: number
  gzip: number
  brotli: number
  /** The scripts alone, gzip: the "initial JS" figure. */
  jsGzip: number
}

export function measureBundle(distDir?: string): {
  trackingPage: SurfaceSize
  adminBoard: SurfaceSize
  hubWorker: SurfaceSize
  serviceWorker: SurfaceSize
  pageHasSocketClient: boolean
}
