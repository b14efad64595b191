export const ADMIN_VIEW: RegExp

export function adminOnlyFiles(distDir?: string): string[]
