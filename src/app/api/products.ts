import { z } from 'zod/mini'
import { productSchema, type Product } from '../../protocol'
import { request } from './client'

/** The catalogue is a plain array; `{products: [...]}` is accepted too. */
const productListSchema = z.union([
  z.array(productSchema),
  z.pipe(
    z.object({ products: z.array(productSchema) }),
    z.transform((body: { products: Product[] }) => body.products),
  ),
])

export function listProducts(signal?: AbortSignal): Promise<Product[]> {
  return request('/api/products', productListSchema, { signal })
}
