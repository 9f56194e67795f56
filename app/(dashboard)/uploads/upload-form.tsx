'use client'

import { Upload } from 'lucide-react'
import { useRouter } from 'next/navigation'
import { useId, useRef, useState } from 'react'
import { FieldShell, FormError } from '@/components/forms/field'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Progress } from '@/components/ui/progress'
import { Select } from '@/components/ui/select'
import { SALES_TEMPLATE_CSV } from '@/lib/uploads/presets'
import { cn } from '@/lib/utils/cn'

const TEMPLATE_HREF = `data:text/csv;charset=utf-8,${encodeURIComponent(SALES_TEMPLATE_CSV)}`

type Sent = { loaded: number; total: number }

const CANCELLED = 'Upload cancelled: nothing was kept.'

// XMLHttpRequest, not fetch: only XHR reports upload progress. The body is the raw file (no multipart),
// so the server streams it straight into the database. Aborting it (Cancel) makes the server drop what arrived.
function sendFile(
  url: string,
  file: File,
  onProgress: (s: Sent) => void,
  started: (xhr: XMLHttpRequest) => void,
) {
  return new Promise<{
    status: number
    body: { uploadId?: string; sameFileAs?: string | null; error?: string }
  }>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', url)
    xhr.setRequestHeader('content-type', file.type || 'text/csv')
    xhr.upload.onprogress = (e) =>
      onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size })
    xhr.onload = () => {
      let body = {}
      try {
        body = JSON.parse(xhr.responseText)
      } catch {}
      resolve({ status: xhr.status, body })
    }
    xhr.onerror = () => reject(new Error('The connection was lost during the upload. Try again.'))
    xhr.onabort = () => reject(new Error(CANCELLED))
    started(xhr)
    xhr.send(file)
  })
}

export function UploadForm({
  stores,
  maxBytes,
  maxLabel,
}: {
  stores: { id: string; label: string }[]
  maxBytes: number
  maxLabel: string
}) {
  const router = useRouter()
  const inputId = useId()
  const input = useRef<HTMLInputElement>(null)
  const [storeId, setStoreId] = useState(stores.length === 1 ? (stores[0]?.id ?? '') : '')
  const [file, setFile] = useState<File | null>(null)
  const [dragging, setDragging] = useState(false)
  const [sent, setSent] = useState<Sent | null>(null)
  const [error, setError] = useState<string | null>(null)
  const sending = useRef<XMLHttpRequest | null>(null)
  const busy = sent !== null && error === null

  function choose(f: File | undefined) {
    setError(null)
    setSent(null)
    if (!f) return
    if (f.size > maxBytes) {
      setFile(null)
      setError(
        `${f.name} is larger than ${maxLabel}, the most this site accepts. Export a shorter period (for example one day or one week) and upload each file.`,
      )
      return
    }
    setFile(f)
  }

  async function upload() {
    if (!file) return
    setError(null)
    setSent({ loaded: 0, total: file.size })
    const params = new URLSearchParams({ name: file.name })
    if (storeId) params.set('storeId', storeId)
    try {
      const res = await sendFile(`/api/uploads?${params}`, file, setSent, (xhr) => {
        sending.current = xhr
      })
      if (res.status !== 201 || !res.body.uploadId) {
        setError(res.body.error ?? `The upload failed (${res.status}). Try again.`)
        return
      }
      router.push(`/uploads/${res.body.uploadId}`)
    } catch (e) {
      setError((e as Error).message)
    } finally {
      sending.current = null
    }
  }

  const pct = sent && sent.total > 0 ? (sent.loaded / sent.total) * 100 : 0
  return (
    <Card>
      <CardHeader>
        <CardTitle>Upload a sales file</CardTitle>
        <CardDescription>
          A CSV export from your till (Shopify POS, Square, Toast, Loyverse, Excel or{' '}
          <a className="underline" href={TEMPLATE_HREF} download="storefront-sync-template.csv">
            our template, with an example
          </a>
          ). Files up to {maxLabel}. Nothing is stored as sales until you have checked the preview.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <FieldShell
          label="Store"
          hint="Rows with an empty store cell belong to this store, and so does the whole file when it has no store column."
        >
          {({ id, describedBy }) => (
            <Select
              id={id}
              aria-describedby={describedBy}
              value={storeId}
              onChange={(e) => setStoreId(e.target.value)}
            >
              <option value="">From the file's store column</option>
              {stores.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.label}
                </option>
              ))}
            </Select>
          )}
        </FieldShell>
        <label
          htmlFor={inputId}
          onDragOver={(e) => {
            e.preventDefault()
            setDragging(true)
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault()
            setDragging(false)
            choose(e.dataTransfer.files[0])
          }}
          className={cn(
            'flex cursor-pointer flex-col items-center justify-center gap-2 rounded-lg border-2 border-dashed p-8 text-center text-sm',
            dragging ? 'border-primary bg-primary/5' : 'border-input',
          )}
        >
          <Upload className="size-6 text-muted-foreground" aria-hidden />
          <span className="font-medium">
            {file ? file.name : 'Drop the CSV file here, or click to choose it'}
          </span>
          <span className="text-muted-foreground">
            {file ? `${(file.size / 1024 / 1024).toFixed(1)} MB` : `CSV or text file, up to ${maxLabel}`}
          </span>
        </label>
        <input
          ref={input}
          id={inputId}
          type="file"
          accept=".csv,.txt,.tsv,text/csv,text/plain"
          aria-label="Sales file"
          className="sr-only"
          onChange={(e) => choose(e.target.files?.[0])}
        />
        <FormError message={error} />
        {sent ? (
          <div className="flex flex-col gap-1">
            <Progress value={pct} label="Upload progress" />
            <p className="text-xs text-muted-foreground" aria-live="polite">
              {pct >= 100 ? 'Uploaded — opening the file…' : `Uploading… ${Math.floor(pct)}%`}
            </p>
          </div>
        ) : null}
        <div className="flex gap-2">
          <Button type="button" disabled={!file || busy} onClick={upload}>
            {busy ? 'Uploading…' : 'Upload file'}
          </Button>
          {busy && pct < 100 ? (
            <Button type="button" variant="outline" onClick={() => sending.current?.abort()}>
              Cancel
            </Button>
          ) : null}
        </div>
      </CardContent>
    </Card>
  )
}
