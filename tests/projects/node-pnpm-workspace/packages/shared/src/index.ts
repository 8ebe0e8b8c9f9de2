export interface Book {
  isbn: string;
  title: string;
}

export function shelved(): Book[] {
  return [{ isbn: "978-0-13-468599-1", title: "The Pragmatic Programmer" }];
}
