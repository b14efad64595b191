import * as v from 'valibot'
import { productSchema, type Product } from '../../protocol'
import { request } from './client'

/** The catalogue is a plain array; `{products: [...]}` is accepted too. */
const productListSchema = v.union([
  v.array(productSchema),
  v.pipe(
    v.object({ products: v.array(productSchema) }),
    v.transform((body: { products: Product[] }) => body.products),
  ),
])

export function listProducts(signal?: AbortSignal): Promise<Product[]> {
  return request('/api/products', productListSchema, { signal })
}
