package hello;

public class Hello {
    public static void main(String[] args) {
        org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(3);
        h.recordValue(42);
        System.out.println("hello from a module, max " + h.getMaxValue());
    }
}
