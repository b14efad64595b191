import { z } from 'zod'
import { productSchema, type Product } from '../../protocol'
import { request } from './client'

/** The catalogue is a plain array; `{products: [...]}` is accepted too. */
const productListSchema = z.union([
  z.array(productSchema),
  z.object({ products: z.array(productSchema) }).transform((body) => body.products),
])

export function listProducts(signal?: AbortSignal): Promise<Product[]> {
  return request('/api/products', productListSchema, { signal })
}
