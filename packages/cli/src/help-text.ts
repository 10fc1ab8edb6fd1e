/**
 * Help prose written as paragraphs in the source: single line breaks become spaces so commander
 * wraps the text to the terminal width; blank lines stay paragraph breaks.
 */
export function prose(text: string): string {
  return text.replace(/([^\n])\n(?!\n)/g, '$1 ');
}
