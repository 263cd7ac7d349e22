package io.jsd.export;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/** Component property type: {@code @Component @ExportTypeName("nbd") class NbdExportDriver implements ExportDriver}. */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface ExportTypeName {
    String PREFIX_ = "jsd.";

    String value();
}
